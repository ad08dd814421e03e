"""Banks' encodings detected (or named with --encoding); text no encoding reads plausibly is refused.

Texts are real-language bank wording: Hungarian from the Sberbank HU MT940 (:NS: fields of
../shared/bank-samples/mt940/hu_sberbank_ns.sta, BSD-3-Clause), German/French/Polish/Russian
payment texts, Japanese/Chinese payer names as banks print them.
"""
import subprocess
import sys
from decimal import Decimal as D

import pytest

from arbook.adapters.bankfiles import read_statements
from arbook.adapters.book import open_book
from arbook.adapters.encoding import EncodingError, decode_bytes

TEXTS = {
    "hu": "Tranzakciós illeték, napi összevont utólag; ERGO Életbiztosító Zrt. Fióktelep",
    "de": "Überweisung Müller GmbH, Straße 5, Rechnung Nr. 17 vom 3. Oktober, Gebühr 2,50 €",
    "fr": "Virement reçu de Café Rémy — facture n° 42, échéance dépassée",
    "pl": "Płatność za fakturę 17/2026, Łódź, Gdańsk; zażółć gęślą jaźń",
    "ru": "Оплата по счету 17 от 03.10.2026, Иванов Петр Сергеевич",
    "ja": "振込 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ 株式会社山田商事 お預り金額 入出金明細",
    "zh": "对方户名 上海华贸有限公司 转账 货款 收入 交易日期",
    "zh_tw": "臺灣銀行 轉帳 匯款 貨款 收入 對方戶名 交易日期",
}
CASES = [("hu", "cp852"), ("hu", "iso8859_2"), ("de", "cp1252"), ("de", "iso8859_15"), ("de", "utf-16"),
         ("fr", "cp1252"), ("pl", "cp1250"), ("pl", "iso8859_2"), ("pl", "cp852"), ("ru", "cp1251"),
         ("ru", "koi8_r"), ("ru", "cp866"), ("ja", "cp932"), ("ja", "euc_jp"), ("ja", "utf-8-sig"),
         ("zh", "gb18030"), ("zh_tw", "big5"), ("de", "utf-16-le")]


@pytest.mark.parametrize("lang,encoding", CASES)
def test_detected(lang, encoding):
    text = (TEXTS[lang] + "\n") * 3
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = text.encode("utf-16-le")  # no BOM
    decoded, name = decode_bytes(data)
    assert decoded.lstrip("\ufeff") == text, (encoding, name)


def test_named_encoding_overrides_and_a_wrong_one_is_refused():
    data = TEXTS["hu"].encode("cp852")
    assert decode_bytes(data, "cp852")[0] == TEXTS["hu"]
    with pytest.raises(EncodingError, match="not utf-8 text"):
        decode_bytes(data, "utf-8")
    with pytest.raises(EncodingError, match="no such encoding"):
        decode_bytes(data, "klingon")


def test_bytes_no_encoding_reads_plausibly_are_refused_naming_the_option():
    noise = b"".join(bytes([0x61 + i % 26, 0x80 + (i * 37) % 128]) for i in range(200))
    data = b"Date,Amount,Memo\n2026-10-01,5," + noise + b"\n"
    with pytest.raises(EncodingError, match="--encoding"):
        decode_bytes(data)


MT940_HU = (":20:STARTUMS\r\n:25:1966315302010001\r\n:28C:00046\r\n:60F:C171011HUF627311,30\r\n"
            ":61:1710111011DF2402,00NTRFNONREF\r\n:86:Tranzakciós illeték: 7.21HUF ERGO Versicherung AG Fióktelep\r\n"
            ":61:1710111011CF5000,00NTRFNONREF\r\n:86:BY ORDER OF Öntödei Zrt.\r\n"
            ":62F:C171011HUF629909,30\r\n-\r\n")


def test_cp852_mt940_is_read_without_mojibake(tmp_path):
    path = tmp_path / "hu.sta"
    path.write_bytes(MT940_HU.encode("cp852"))
    lines = read_statements(path)[0].lines
    assert lines[0].memo.startswith("Tranzakciós illeték")
    assert (lines[1].payer, lines[1].amount) == ("Öntödei Zrt.", D(5000))


def test_misread_text_is_never_stored(tmp_path):
    """A UTF-8 file holding replacement characters in a description: refused, naming --encoding."""
    book = tmp_path / "b.xlsx"
    path = tmp_path / "x.csv"
    path.write_text("Date,Amount,Description\n2026-10-01,5,napi \ufffdsszevont\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "arbook", "new", str(book)], check=True, capture_output=True)
    result = subprocess.run([sys.executable, "-m", "arbook", "import", str(book), str(path), "--currency", "HUF"],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "--encoding" in result.stderr and f"{path}:2:" in result.stderr
    with open_book(book) as handle:
        assert handle.read("Bank").empty


def test_encoding_option_through_the_cli(tmp_path):
    book = tmp_path / "b.xlsx"
    path = tmp_path / "x.csv"
    path.write_bytes("Dátum,Összeg,Közlemény\n2026-10-01,5000,Számla 17 Őrség Kft.\n".encode("cp1250"))
    subprocess.run([sys.executable, "-m", "arbook", "new", str(book)], check=True, capture_output=True)
    result = subprocess.run([sys.executable, "-m", "arbook", "import", str(book), str(path), "--currency", "HUF",
                             "--encoding", "cp1250", "--map", "date=1", "--map", "amount=2", "--map", "memo=3"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with open_book(book) as handle:
        assert list(handle.read("Bank")["Memo"]) == ["Számla 17 Őrség Kft."]


def test_encoding_is_kept_in_a_saved_profile(tmp_path):
    book = tmp_path / "b.xlsx"
    first, second = tmp_path / "oct.csv", tmp_path / "nov.csv"
    first.write_bytes("Dátum,Összeg,Közlemény\n2026-10-01,5000,Számla 17 Őrség Kft.\n".encode("cp1250"))
    second.write_bytes("Dátum,Összeg,Közlemény\n2026-11-01,7000,Számla 18 Őrség Kft.\n".encode("cp1250"))
    subprocess.run([sys.executable, "-m", "arbook", "new", str(book)], check=True, capture_output=True)
    common = ["--currency", "HUF", "--map", "date=1", "--map", "amount=2", "--map", "memo=3"]
    subprocess.run([sys.executable, "-m", "arbook", "import", str(book), str(first), "--encoding", "cp1250",
                    *common, "--save-profile", "OTP"], check=True, capture_output=True)
    result = subprocess.run([sys.executable, "-m", "arbook", "import", str(book), str(second), "--profile", "OTP"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with open_book(book) as handle:
        assert list(handle.read("Bank")["Memo"]) == ["Számla 17 Őrség Kft.", "Számla 18 Őrség Kft."]
