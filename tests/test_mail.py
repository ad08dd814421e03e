"""Statement emails through a real SMTP server on loopback (aiosmtpd), read back and checked."""
import shutil
from email import message_from_bytes, policy
from io import BytesIO
from pathlib import Path

import pytest

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES
from arbook.model.errors import ArbookError
from arbook.services.mail import email_statements
from arbook.adapters.statementxlsx.render import read_properties


from smtp_loopback import smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def statements_dir(tmp_path):
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", tmp_path / "book.xlsx")
    main(["statements", str(tmp_path / "book.xlsx"), "--out", str(tmp_path / "st"), "--as-of", "2026-11-16",
          "--customer", "C00001", "--customer", "C00002", "--customer", "C00003"])
    return tmp_path


def test_sends_each_client_its_own_statement_once(statements_dir, smtp_server, capsys):
    inbox, address = smtp_server
    book = statements_dir / "book.xlsx"
    main(["email", str(book), "--statements", str(statements_dir / "st"), "--smtp", address])
    assert "3 message(s) sent" in capsys.readouterr().out
    with open_book(book) as handle:
        customers = handle.read("Customers").set_index("Customer ID")
        sends = handle.read("Log").query("Action == 'send'")
    assert len(inbox.messages) == 3 and len(sends) == 3
    subjects = {"ja": "残高確認書", "zh": "对账单", "en": "statement of account"}
    for recipients, raw in inbox.messages:
        message = message_from_bytes(raw, policy=policy.default)
        cid = message["X-Arbook-Customer"]
        assert recipients == [customers.loc[cid, "Email"]]
        assert subjects[customers.loc[cid, "Language"]] in message["Subject"]
        (attachment,) = list(message.iter_attachments())
        data = attachment.get_payload(decode=True)
        assert read_properties(data)["arbook.customer"] == cid
        import openpyxl
        cells = [v for row in openpyxl.load_workbook(BytesIO(data))["Statement"].iter_rows(values_only=True) for v in row]
        assert f"{customers.loc[cid, 'Name']} ({cid})" in cells
        assert any(cid in d and message["Message-ID"] in d for d in sends["Details"])
    main(["email", str(book), "--statements", str(statements_dir / "st"), "--smtp", address])
    assert "0 message(s) sent; 3 statement(s) already sent" in capsys.readouterr().out
    assert len(inbox.messages) == 3


def test_a_statement_under_another_clients_name_stops_the_run(statements_dir, smtp_server):
    inbox, address = smtp_server
    folder = statements_dir / "st"
    files = sorted(folder.glob("*.xlsx"))
    shutil.copyfile(files[0], folder / files[1].name)  # C00001's statement named for C00002
    with open_book(statements_dir / "book.xlsx") as handle, pytest.raises(ArbookError, match="differs from the one its manifest"):
        email_statements(handle, folder, smtp=address)
    assert inbox.messages == []


def test_drafts_by_default(statements_dir):
    first = sorted((statements_dir / "st").glob("*.xlsx"))[0]
    first.with_suffix(".pdf").write_bytes(b"%PDF-1.4 test")
    with open_book(statements_dir / "book.xlsx") as handle:
        run = email_statements(handle, statements_dir / "st")
    assert len(run.drafts) == 3 and all(p.suffix == ".eml" for p in run.drafts)
    message = message_from_bytes(Path(run.drafts[0]).read_bytes(), policy=policy.default)
    assert message.get_body(("html",)) is not None and message["To"]
    assert [a.get_filename() for a in message.iter_attachments()] == [first.name, first.with_suffix(".pdf").name]
