"""The shipped samples are what tools/samplegen writes, and the demo knows their date and bank files."""
from arbook.resources import resource
from arbook.services import demo
from samplegen.sampledata import SAMPLE_AS_OF, write_samples
from samplegen.samplepay import LANGUAGE_FILES


def test_demo_constants_follow_the_generator():
    assert demo.SAMPLE_AS_OF == SAMPLE_AS_OF and demo.BANK_FILES == tuple(LANGUAGE_FILES.values())


def test_generator_reproduces_the_shipped_files(tmp_path):
    written = {p.name for p in write_samples(tmp_path)}
    for name in ("customers.csv", "invoices.csv", "truth.csv", *LANGUAGE_FILES.values()):
        assert name in written and (tmp_path / name).read_bytes() == resource("samples", name).read_bytes(), name
