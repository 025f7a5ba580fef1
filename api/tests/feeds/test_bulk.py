"""parse_csv and check_rows: a bulk CSV as a seller writes it -> rows and per-line, per-column sentences."""

from __future__ import annotations

import pytest

from app.feeds.bulk import BULK_COLUMNS, BulkRow, check_rows, parse_csv
from app.feeds.feed_schema import MAX_ISSUES

US, JP, DE = "ATVPDKIKX0DER", "A1VC38T7YXB528", "A1PA6795UKMFR9"


def lines(*text: str, sep: str = "\n") -> bytes:
    return sep.join(text).encode("utf-8")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_sniffed(delimiter: str) -> None:
    content = lines(
        delimiter.join(BULK_COLUMNS),
        delimiter.join(["A-1", "12.50", "USD", "5", "3"]),
        delimiter.join(["B-2", "", "", "7", ""]),
    )
    rows, issues = parse_csv(content, max_rows=10)
    assert issues == []
    assert rows == [BulkRow(2, "A-1", "12.50", "USD", "5", "3"), BulkRow(3, "B-2", "", "", "7", "")]


def test_bom_crlf_whitespace_quotes_and_blank_lines_keep_the_lines_a_user_sees() -> None:
    content = (
        '\ufeff SKU , Price,currency,quantity\r\n\r\n  A-1 , 12.50 ,USD, 5 \r\n"B,2","x"\r\n,,,\r\n'
        '"C\n3",1,USD,\r\nD-4,,,0\r\n'
    )
    rows, issues = parse_csv(content.encode("utf-8"), max_rows=10)
    assert [(row.line, row.sku, row.price, row.quantity) for row in rows] == [
        (3, "A-1", "12.50", "5"),
        (4, "B,2", "x", ""),
        (6, "C\n3", "1", ""),  # a quoted value over two lines: the row starts on line 6
        (8, "D-4", "", "0"),
    ]
    assert [(issue.line, issue.field) for issue in issues] == [(4, "price"), (4, "currency")]


def test_a_single_column_file_is_read() -> None:
    rows, issues = parse_csv(lines("sku", "A"), max_rows=10)
    assert rows == []
    assert "neither a price nor a quantity column" in issues[0].message


def test_header_problems_return_no_rows_and_name_line_1() -> None:
    rows, issues = parse_csv(
        lines("sku,price,currency,title,quantity,Quantity", "A,1,USD,x,1,1"), max_rows=10
    )
    assert rows == []
    assert [(issue.line, issue.field) for issue in issues] == [(1, "title"), (1, "quantity")]
    assert issues[0].message.startswith("Line 1, column title: the column 'title' is not one we take")
    assert "appears twice" in issues[1].message
    _, missing = parse_csv(lines("price,currency", "1,USD"), max_rows=10)
    assert [issue.message for issue in missing] == [
        "Line 1: the column sku is missing: every row names the SKU it changes."
    ]
    _, no_currency = parse_csv(lines("sku,price", "A,1"), max_rows=10)
    assert "the column currency is missing" in no_currency[0].message
    _, unnamed = parse_csv(lines("sku,,quantity", "A,,1"), max_rows=10)
    assert "column 2 has no name" in unnamed[0].message


def test_a_trailing_delimiter_on_the_header_is_fine_but_extra_values_are_named() -> None:
    rows, issues = parse_csv(lines("sku,quantity,", "A,1,", "B,2,oops"), max_rows=10)
    assert [row.sku for row in rows] == ["A", "B"]
    [issue] = issues
    assert (issue.line, issue.sku) == (3, "B")
    assert "has 3 values but line 1 names 2 columns" in issue.message


def test_empty_and_not_utf8_files() -> None:
    assert "the file is empty" in parse_csv(b"\n\n", max_rows=10)[1][0].message
    rows, [issue] = parse_csv(b"sku,quantity\nA,1\ncaf\xe9,2\n", max_rows=10)
    assert rows == [] and issue.line == 3
    assert "not UTF-8" in issue.message and "CSV UTF-8" in issue.message


def test_max_rows_is_enforced_with_the_line_where_it_stopped() -> None:
    content = lines("sku,quantity", *(f"S{n},1" for n in range(5)))
    rows, [issue] = parse_csv(content, max_rows=3)
    assert len(rows) == 3
    assert issue.line == 5 and "more than 3 rows" in issue.message


def test_a_csv_the_reader_cannot_read_is_a_sentence() -> None:
    rows, issues = parse_csv(b"sku,quantity\nA,1\nB," + b"9" * 200_000 + b"\nC,1\n", max_rows=10)
    assert [row.sku for row in rows] == ["A"]
    [issue] = issues
    assert issue.line == 3 and "the CSV cannot be read (field larger than field limit" in issue.message


def test_parse_csv_checks_the_currency_form_not_the_marketplace() -> None:
    _, issues = parse_csv(lines("sku,price,currency", "A,1,EUR", "B,1,dollars"), max_rows=10)
    assert [(issue.line, issue.field) for issue in issues] == [(3, "currency")]


# --- check_rows -------------------------------------------------------------------------------------------


def row(
    line: int, sku: str = "A", price: str = "", currency: str = "", quantity: str = "", handling: str = ""
) -> BulkRow:
    return BulkRow(line, sku, price, currency, quantity, handling)


def test_good_rows_have_no_issue() -> None:
    rows = [
        row(2, "A", "19.99", "USD", "5", "1"),
        row(3, "B", "0.5", "usd"),
        row(4, "C", "", "", "0", "30"),
        row(5, "Ü-ñ-€", "7", "USD"),
        row(6, "X" * 40, quantity="2147483647"),
    ]
    assert check_rows(rows, marketplace_id=US) == []


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (row(2, "", quantity="1"), "sku", "the SKU is empty"),
        (row(2, "X" * 41, quantity="1"), "sku", "has 41 characters; Amazon allows at most 40"),
        (row(2, "A"), "price", "neither a price nor a quantity"),
        (
            row(2, price="12,50", currency="USD"),
            "price",
            "with a dot as the decimal separator, such as 12.50",
        ),
        (row(2, price="12.345", currency="USD"), "price", "at most 2 decimals"),
        (row(2, price="-3", currency="USD"), "price", "'-3' is not a price"),
        (row(2, price="1e3", currency="USD"), "price", "not a price"),
        (row(2, price="0.00", currency="USD"), "price", "must be more than 0"),
        (row(2, price="1234567890", currency="USD"), "price", "not a price"),
        (row(2, price="5"), "currency", "a price needs its currency (USD in this marketplace)"),
        (row(2, price="5", currency="EUR"), "currency", "EUR is not the currency of this marketplace"),
        (row(2, quantity="-1"), "quantity", "'-1' is not a quantity"),
        (row(2, quantity="2.5"), "quantity", "whole number"),
        (row(2, quantity="2147483648"), "quantity", "not a quantity"),
        (row(2, quantity="1", handling="0"), "handling_time", "from 1 to 30"),
        (row(2, quantity="1", handling="31"), "handling_time", "from 1 to 30"),
        (row(2, quantity="1", handling="2 days"), "handling_time", "not a handling time"),
        (row(2, price="5", currency="USD", handling="2"), "handling_time", "with the quantity"),
    ],
)
def test_each_rule_names_the_line_and_the_column(bad: BulkRow, field: str, words: str) -> None:
    [issue] = check_rows([bad], marketplace_id=US)
    assert (issue.line, issue.field) == (2, field)
    assert issue.message.startswith(f"Line 2, column {field}: ")
    assert words in issue.message and issue.message.endswith(".")


def test_a_repeated_sku_names_the_first_line() -> None:
    issues = check_rows(
        [row(2, "A", quantity="1"), row(3, "B", quantity="1"), row(7, "A", quantity="2")], marketplace_id=US
    )
    [issue] = issues
    assert (issue.line, issue.sku, issue.field) == (7, "A", "sku")
    assert "the SKU A is already on line 2" in issue.message


def test_the_marketplace_decides_the_currency_and_its_decimals() -> None:
    assert check_rows([row(2, price="1200", currency="JPY")], marketplace_id=JP) == []
    [decimals] = check_rows([row(2, price="1200.50", currency="JPY")], marketplace_id=JP)
    assert "a whole number such as 1200" in decimals.message
    assert check_rows([row(2, price="9.99", currency="EUR")], marketplace_id=DE) == []
    [usd] = check_rows([row(2, price="9.99", currency="USD")], marketplace_id=DE)
    assert "Amazon takes its prices in EUR" in usd.message


def test_an_unknown_marketplace_is_one_issue() -> None:
    [issue] = check_rows([row(2, quantity="1")], marketplace_id="NOPE")
    assert "NOPE is not one of Amazon's marketplaces" in issue.message


def test_many_wrong_rows_are_capped() -> None:
    issues = check_rows([row(n, f"S{n}", quantity="x") for n in range(2, MAX_ISSUES + 12)], marketplace_id=US)
    assert len(issues) == MAX_ISSUES + 1
    assert issues[-1].message.startswith("10 more problems")
