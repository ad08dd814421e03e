"""Every refusal of `statements` and `email` happens before anything is written or sent; sends are
journalled, drafts are not sends, changed addresses stop the run, encrypted statements can go out."""
import hashlib
import json
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from arbook.model.addresses import address_list, one_address
from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES
from arbook.services.mail import JOURNAL_SUFFIX

CLIENTS = ("C00001", "C00002", "C00003")


from smtp_loopback import smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def book(tmp_path):
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", tmp_path / "book.xlsx")
    return tmp_path / "book.xlsx"


def edit_customer(book, cid, **values):
    with open_book(book) as handle:
        customers = handle.read("Customers")
        for column, value in values.items():
            customers.loc[customers["Customer ID"] == cid, column] = value
        handle.replace("Customers", customers)


def write_statements(book, out, *clients):
    main(["statements", str(book), "--out", str(out), "--as-of", "2026-11-16",
          *(x for cid in (clients or CLIENTS) for x in ("--customer", cid))])
    return out


def state(path: Path) -> str:
    """A digest of everything under ``path``'s folder (names and bytes), to prove nothing was written."""
    digest = hashlib.sha256()
    for item in sorted(p for p in path.parent.rglob("*") if not p.name.endswith(".arbook-lock")):
        digest.update(str(item).encode())
        if item.is_file():
            digest.update(item.read_bytes())
    return digest.hexdigest()


def refused(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_code:
        main(argv)
    assert exit_code.value.code == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("field, value, message", [
    ("Email", "victim@example.com, attacker@evil.example", "Email: 'victim@example.com, attacker@evil.example' "
                                                           "holds more than one address"),
    ("Email", "victim@example.com; attacker@evil.example", "more than one address"),
    ("Email", "victim@example.com\r\nBcc: attacker@evil.example", "line break"),
    ("Email", "not an address", "not a valid address"),
    ("CC Emails", "boss@example.com\nBcc: attacker@evil.example", "CC Emails:"),
])
def test_statements_refuse_bad_addresses_before_writing(book, capsys, field, value, message):
    edit_customer(book, "C00002", **{field: value})
    before = state(book)
    err = refused(capsys, ["statements", str(book), "--out", str(book.parent / "st")], message)
    assert "[Customers]:3:" in err and "nothing was written" in err
    assert state(book) == before


def test_email_refuses_an_address_broken_after_the_statements_before_any_draft(book, capsys):
    folder = write_statements(book, book.parent / "st")
    edit_customer(book, "C00003", Email="keiri3@example.jp\nBcc: attacker@evil.example")
    before = state(book)
    refused(capsys, ["email", str(book), "--statements", str(folder)], "line break")
    assert state(book) == before and not (folder / "outbox").exists()


def test_changed_address_stops_the_run_unless_accepted(book, capsys, smtp_server):
    inbox, address = smtp_server
    folder = write_statements(book, book.parent / "st")
    edit_customer(book, "C00002", Email="new-ap@example.com")
    before = state(book)
    refused(capsys, ["email", str(book), "--statements", str(folder), "--smtp", address],
            "C00002: statement written for <ap2@example.com>, the book now says <new-ap@example.com>")
    assert inbox.messages == [] and state(book) == before
    main(["email", str(book), "--statements", str(folder), "--smtp", address, "--accept-changed-addresses"])
    assert sorted(inbox.customers()) == list(CLIENTS)
    assert ["new-ap@example.com"] in [rcpt for rcpt, _ in inbox.messages]
    with open_book(book) as handle:
        log = handle.read("Log")
    assert any("C00002" in d and "accepted" in d for d in log.loc[log["Action"] == "address changed", "Details"])


def test_cc_addresses_receive_the_message(book, smtp_server):
    inbox, address = smtp_server
    edit_customer(book, "C00001", **{"CC Emails": "boss@example.jp; Audit <audit@example.jp>"})
    folder = write_statements(book, book.parent / "st", "C00001")
    main(["email", str(book), "--statements", str(folder), "--smtp", address])
    ((recipients, raw),) = inbox.messages
    assert recipients == ["keiri1@example.jp", "boss@example.jp", "audit@example.jp"]
    assert message_from_bytes(raw, policy=policy.default)["Cc"] == "boss@example.jp, Audit <audit@example.jp>"  # the display name is kept


def test_drafts_are_not_sends_and_resend_is_on_purpose(book, capsys, smtp_server):
    inbox, address = smtp_server
    folder = write_statements(book, book.parent / "st")
    main(["email", str(book), "--statements", str(folder)])
    assert "3 draft(s) written" in capsys.readouterr().out
    main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert "3 message(s) sent; 0 statement(s) already sent" in capsys.readouterr().out
    main(["email", str(book), "--statements", str(folder), "--smtp", address, "--resend", "C00002"])
    assert "1 message(s) sent; 2 statement(s) already sent" in capsys.readouterr().out
    assert sorted(inbox.customers()) == ["C00001", "C00002", "C00002", "C00003"]
    with open_book(book) as handle:
        log = handle.read("Log")
    sends = log.loc[log["Action"] == "send", "Details"].tolist()
    assert len(sends) == 4 and all("250 OK queued as A1" in d for d in sends)
    assert len(log[log["Action"] == "draft"]) == 3 and len(log[log["Action"] == "sending"]) == 4
    assert not (book.parent / (book.name + JOURNAL_SUFFIX)).exists()  # folded into the Log
    refused(capsys, ["email", str(book), "--statements", str(folder), "--resend", "C00009"], "C00009")


def test_an_unsettled_send_is_reported_never_resent(book, capsys, smtp_server):
    inbox, address = smtp_server
    folder = write_statements(book, book.parent / "st")
    main(["email", str(book), "--statements", str(folder), "--outbox", str(book.parent / "drafts")])
    journal = book.parent / (book.name + JOURNAL_SUFFIX)
    statement = folder / "C00002-statement-2026-11-16.xlsx"
    digest = hashlib.sha256(statement.read_bytes()).hexdigest()
    journal.write_text(json.dumps({"action": "sending", "details": f"C00002 <ap2@example.com> message-id=<x@y> "
                                   f"{statement.name} sha256={digest} (smtp {address})"}) + "\n{\"action\": \"se",
                       encoding="utf-8")  # a crash right after the server accepted it, mid-way through a line
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_code:  # the accountant must decide: exit 1
        main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert exit_code.value.code == 1
    out = capsys.readouterr().out
    assert "2 message(s) sent" in out and "1 NOT SETTLED" in out and "C00002" in out.split("NOT SETTLED")[1]
    assert sorted(inbox.customers()) == ["C00001", "C00003"]
    with pytest.raises(SystemExit):
        main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert "1 NOT SETTLED" in capsys.readouterr().out
    main(["email", str(book), "--statements", str(folder), "--smtp", address, "--mark-sent", "C00002"])
    assert "1 marked sent (C00002)" in capsys.readouterr().out
    main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert "0 message(s) sent; 3 statement(s) already sent" in capsys.readouterr().out
    assert len(inbox.messages) == 2


def test_file_names_are_safe_and_never_shared(book, capsys):
    with open_book(book) as handle:
        customers = handle.read("Customers")
        customers.loc[customers["Customer ID"] == "C00001", "Customer ID"] = "a/b"
        customers.loc[customers["Customer ID"] == "C00002", "Customer ID"] = "CON"
        customers.loc[customers["Customer ID"] == "C00003", "Customer ID"] = "..\\x"
        handle.replace("Customers", customers)
    folder = book.parent / "st"
    main(["statements", str(book), "--out", str(folder), "--customer", "a/b", "--customer", "CON",
          "--customer", "..\\x"])
    names = sorted(p.name for p in folder.glob("*.xlsx"))
    assert len(names) == 3 and all("/" not in n and "\\" not in n and not n.upper().startswith("CON-") for n in names)
    assert sorted(json.loads(p.read_text(encoding="utf-8"))["customer"] for p in folder.glob("*.json")) == \
        sorted(["a/b", "CON", "..\\x"])
    with open_book(book) as handle:
        customers = handle.read("Customers")
        customers.loc[customers["Customer ID"] == "C00004", "Customer ID"] = "c00005"
        handle.replace("Customers", customers)
    before = state(book)
    refused(capsys, ["statements", str(book), "--out", str(book.parent / "st2")], "would share the file name")
    assert state(book) == before


def test_a_bad_template_stops_before_the_first_file(book, capsys, tmp_path):
    import openpyxl

    from arbook.services.statements import TEMPLATE

    wb = openpyxl.load_workbook(TEMPLATE)
    wb["Statement"]["A30"] = "{{ customer.nickname }}"
    wb.save(tmp_path / "mine.xlsx")
    before = state(book)
    refused(capsys, ["statements", str(book), "--out", str(tmp_path / "st"), "--template", str(tmp_path / "mine.xlsx")],
            "nothing was written")
    assert state(book) == before


def test_an_edited_manifest_or_statement_is_refused(book, capsys, smtp_server):
    inbox, address = smtp_server
    folder = write_statements(book, book.parent / "st")
    manifest = folder / "C00002-statement-2026-11-16.xlsx.manifest.json"
    body = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**body, "email": "attacker@evil.example"}), encoding="utf-8")
    refused(capsys, ["email", str(book), "--statements", str(folder), "--smtp", address], "signature")
    manifest.write_text(json.dumps(body), encoding="utf-8")
    statement = folder / "C00003-statement-2026-11-16.xlsx"
    statement.write_bytes(statement.read_bytes() + b"\0")
    refused(capsys, ["email", str(book), "--statements", str(folder), "--smtp", address], "differs from the one")
    assert inbox.messages == []


def test_encrypted_statements_can_be_emailed(book, capsys, smtp_server):
    inbox, address = smtp_server
    folder = book.parent / "enc"
    main(["statements", str(book), "--out", str(folder), "--encrypt", "--customer", "C00001", "--customer", "C00002"])
    (passwords,) = book.parent.glob("book-statement-passwords-*.csv")
    assert passwords.stat().st_mode & 0o777 == 0o600 and not list(folder.glob("*.csv"))
    main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert sorted(inbox.customers()) == ["C00001", "C00002"]
    refused(capsys, ["statements", str(book), "--out", str(book.parent), "--encrypt"], "their own folder")


def test_customer_import_refuses_a_list_in_the_email_cell(book, capsys, tmp_path):
    source = tmp_path / "customers.csv"
    source.write_text("Customer ID,Name,Email,Language,Currency\nC00001,Tanaka,keiri1@example.jp,ja,JPY\n"
                      'C00002,Greenleaf,"ap2@example.com, attacker@evil.example",en,USD\n', encoding="utf-8")
    before = state(book)
    err = refused(capsys, ["customers", str(book), str(source)], "Email: 'ap2@example.com, attacker@evil.example' "
                                                                  "holds more than one address")
    assert f"{source}:3:" in err and state(book) == before


def test_a_statement_without_its_manifest_is_refused(book, capsys, smtp_server):
    inbox, address = smtp_server
    folder = write_statements(book, book.parent / "st")
    (folder / "C00003-statement-2026-11-16.xlsx.manifest.json").unlink()
    before = state(book)
    refused(capsys, ["email", str(book), "--statements", str(folder), "--smtp", address], "no manifest beside it")
    assert inbox.messages == [] and state(book) == before


def test_pdf_and_encryption_together_are_refused(book, capsys):
    before = state(book)
    refused(capsys, ["statements", str(book), "--out", str(book.parent / "st"), "--encrypt", "--pdf"],
            "unencrypted")
    assert state(book) == before


def test_post_only_clients_are_listed_not_emailed(book, capsys, smtp_server):
    inbox, address = smtp_server
    edit_customer(book, "C00002", Delivery="post")
    folder = write_statements(book, book.parent / "st")
    capsys.readouterr()
    main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert "1 by post only, not emailed (C00002)" in capsys.readouterr().out
    assert sorted(inbox.customers()) == ["C00001", "C00003"]


def test_a_folder_with_an_older_statement_sends_each_client_only_its_newest(book, smtp_server):
    inbox, address = smtp_server
    folder = write_statements(book, book.parent / "st")
    main(["statements", str(book), "--out", str(folder), "--as-of", "2026-11-30",
          *(x for cid in CLIENTS for x in ("--customer", cid))])
    main(["email", str(book), "--statements", str(folder), "--smtp", address])
    assert sorted(inbox.customers()) == sorted(CLIENTS)


@pytest.mark.parametrize("cell,expected", [
    ("Bob <bob@example.com>", "Bob <bob@example.com>"),
    ("山田 太郎 <taro@example.co.jp>", "山田 太郎 <taro@example.co.jp>"),
    (" keiri@example.jp ", "keiri@example.jp"),
])
def test_an_email_cell_keeps_its_display_name(cell, expected):
    assert one_address(cell) == expected


def test_cc_list_drops_a_mailbox_given_twice_keeping_the_first_form():
    assert address_list("Boss <BOSS@example.jp>; boss@example.jp, c@example.org") == [
        "Boss <BOSS@example.jp>", "c@example.org"]
