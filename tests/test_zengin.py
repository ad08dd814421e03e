"""Zengin 03/01: a fixture assembled by hand from the published byte layout, plus writer round trips."""
from datetime import date
from decimal import Decimal

import pytest

from arbook.adapters.bankfiles.model import Options
from arbook.adapters.bankfiles.zengin import ZenginImporter
from arbook.model.errors import InputError
from samplegen.samplebank import Account, SynthLine, zengin_01, zengin_03

TODAY = date(2026, 11, 23)


def n(value: int, width: int) -> str:
    return str(value).rjust(width, "0")


def c(text: str, width: int) -> bytes:
    return text.encode("cp932").ljust(width, b" ")


def hand_made_03() -> bytes:
    """Header, two data records, trailer and end, built field by field from ZENGIN_LAYOUT.md."""
    header = (b"1" + b"03" + b"0" + n(81120, 6).encode() + n(81101, 6).encode() + n(81120, 6).encode()
              + b"0005" + c("ﾐﾂﾋﾞｼ", 15) + b"123" + c("ﾎﾝﾃﾝ", 15) + b"000" + b"1" + b"0001234567"
              + c("ｶ)ｴ-ｱ-ﾙ", 40) + b"1" + b"0" + n(500000, 14).encode())
    header = header.ljust(200, b" ")
    credit = (b"2" + b"00000101" + n(81104, 6).encode() + n(81104, 6).encode() + b"1" + b"11"
              + n(110000, 12).encode() + n(0, 12).encode() + b"000000" + b"000000" + b"0" + b"0000000"
              + b"000" + b"0000000000" + c("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", 48) + c("ﾐｽﾞﾎ", 15) + c("ｼﾝｼﾞﾕｸ", 15)
              + c("ﾌﾘｺﾐ", 20) + c("INV-1042", 20) + b" ")
    debit = (b"2" + b"00000102" + n(81105, 6).encode() + n(81105, 6).encode() + b"2" + b"14"
             + n(440, 12).encode() + n(0, 12).encode() + b"000000" + b"000000" + b"0" + b"0000000"
             + b"000" + b"0000000000" + c("", 48) + c("", 15) + c("", 15) + c("ﾃｽｳﾘﾖｳ", 20) + c("", 20) + b" ")
    trailer = (b"8" + n(1, 6).encode() + n(110000, 13).encode() + n(1, 6).encode() + n(440, 13).encode()
               + b"1" + n(609560, 14).encode() + n(2, 7).encode()).ljust(200, b" ")
    end = (b"9" + n(5, 10).encode() + n(1, 5).encode()).ljust(200, b" ")
    records = [header, credit, debit, trailer, end]
    assert all(len(r) == 200 for r in records)
    return b"\r\n".join(records) + b"\r\n"


def parse(data: bytes):
    return ZenginImporter().parse(data, "z.txt", Options(), today=TODAY)


def test_hand_made_03_reads_every_field():
    (statement,) = parse(hand_made_03())
    assert statement.account == "0005-123-1234567" and statement.currency == "JPY"
    assert (statement.opening, statement.closing) == (Decimal(500000), Decimal(609560))
    credit, debit = statement.lines
    assert credit.date == date(2026, 11, 4)  # R8.11.04: Reiwa 8 = 2026
    assert credit.amount == Decimal(110000) and credit.payer == "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"
    assert "INV-1042" in credit.memo and credit.ref.endswith(":101")
    assert debit.amount == Decimal(-440) and debit.payer == "" and "ﾃｽｳﾘﾖｳ" in debit.memo


def test_without_line_breaks_and_with_eof_marker():
    data = hand_made_03().replace(b"\r\n", b"") + b"\x1a"
    assert [ln.amount for ln in parse(data)[0].lines] == [Decimal(110000), Decimal(-440)]


@pytest.mark.parametrize("old,new,message", [
    (b"8000001", b"8000002", "z.txt:4: credit_count: trailer says 2, the data records add up to 1"),
    (b"0000000609560", b"0000000609561", "closing balance 609561 is not opening 500000"),
    (b"00000101" + b"081104", b"00000101" + b"081399", "z.txt:2: booked: 081399 is not a date"),
    (b"200000101081104", b"20000010A081104", "z.txt:2: ref: expected digits in bytes 2-9"),
])
def test_tampered_files_are_rejected_with_the_place(old, new, message):
    data = hand_made_03()
    assert old in data
    with pytest.raises(InputError) as info:
        parse(data.replace(old, new, 1))
    assert message in str(info.value)


def test_truncated_file_and_missing_trailer():
    data = hand_made_03().replace(b"\r\n", b"")
    with pytest.raises(InputError, match="not a multiple of 200"):
        parse(data[:-57])
    with pytest.raises(InputError, match="without a trailer"):
        parse(b"\r\n".join(hand_made_03().split(b"\r\n")[:3]))


def test_writer_round_trip_03_and_01_with_cancellation():
    lines = [SynthLine(date(2026, 10, 30), Decimal(55000), "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", "INV-1"),
             SynthLine(date(2026, 10, 31), Decimal(-880), "", "FEE")]
    (statement,) = parse(zengin_03(Account(), Decimal(-1000), lines, date(2026, 10, 31)))
    assert statement.opening == Decimal(-1000) and statement.closing == Decimal(53120)
    notice = [SynthLine(date(2026, 10, 30), Decimal(55000), "ｶ)ｻﾄｳｾｲｻｸｼﾖ", "INV-2"),
              SynthLine(date(2026, 10, 31), Decimal(-55000), "ｶ)ｻﾄｳｾｲｻｸｼﾖ", "")]
    (statement,) = parse(zengin_01(Account(), notice, date(2026, 10, 31), crlf=False))
    assert [ln.amount for ln in statement.lines] == [Decimal(55000), Decimal(-55000)]
    assert statement.lines[1].memo.startswith("取消")


def test_heisei_dates_and_yen_sign():
    data = hand_made_03().replace(b"081104" + b"081104", b"301231" + b"301231", 1).replace(b"INV-1042    ", b"\\1000       ")
    line = parse(data)[0].lines[0]
    assert line.date == date(2018, 12, 31) and "¥1000" in line.memo


def test_detects_zengin_but_not_csv():
    importer = ZenginImporter()
    assert importer.detect(hand_made_03()[:4096], ".txt")
    assert not importer.detect(b"103,2026-10-01,foo\n", ".csv")
