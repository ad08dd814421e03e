"""CSV text into rows and line numbers: a file without quotes is read in one pass, and gives what
the quote-aware line-by-line reading gives."""
import pytest

from arbook.adapters.tabular import read_text_table
from arbook.model.errors import InputError

PLAIN = "date,amount,memo\r\n2026-01-01,10.00,a b\r\n\r\n2026-01-02,-5.00,c\r\n\r\n"


def test_a_file_without_quotes_keeps_blank_rows_and_line_numbers():
    rows, lines = read_text_table("x.csv", PLAIN, strict=False)
    assert rows == [["date", "amount", "memo"], ["2026-01-01", "10.00", "a b"], [], ["2026-01-02", "-5.00", "c"], []]
    assert lines == [1, 2, 3, 4, 5]
    assert read_text_table("x.csv", PLAIN.rstrip("\r\n"), strict=False) == (rows[:-1], lines[:-1])


def test_a_quoted_field_over_two_lines_moves_the_next_rows_down():
    rows, lines = read_text_table("x.csv", PLAIN.replace("a b", '"a\nb"'), strict=False)
    assert rows[1] == ["2026-01-01", "10.00", "a\nb"] and rows[3] == ["2026-01-02", "-5.00", "c"]
    assert lines == [1, 2, 4, 5, 6]


@pytest.mark.parametrize("quote", ["", '"x",'])
def test_an_unreadable_row_is_named_by_its_line(quote):
    text = f"{quote}date,amount\n" + "2026-01-01,1.00\n" * 60 + "2026-01-02,2\r0\n"  # past the delimiter sniff
    with pytest.raises(InputError, match=r"x\.csv:62: unreadable CSV"):
        read_text_table("x.csv", text, strict=False)
