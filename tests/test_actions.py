"""The action table drives the CLI and the ribbon: every entry resolves and both sides agree with it."""
import inspect

import pytest

from arbook.actions import ACTIONS, action
from arbook.adapters import excel
from arbook.cli import cli


@pytest.mark.parametrize("item", ACTIONS, ids=lambda a: a.name)
def test_every_action_function_takes_its_parameters(item):
    signature = inspect.signature(item.function())
    args = ([None] if item.book else []) + [object() for p in item.params if p.option is None]
    signature.bind(*args, **{p.name: object() for p in item.params if p.option is not None})


def test_cli_commands_and_options_come_from_the_table():
    assert set(cli.commands) == {a.name for a in ACTIONS if a.cli}
    for item in ACTIONS:
        if item.cli:
            options = {o for p in cli.commands[item.name].params for o in p.opts if o.startswith("--")}
            assert options == {p.option for p in item.params if p.option}, item.name


def test_ribbon_buttons_ask_for_at_most_one_thing_and_have_every_label():
    assert excel.BUTTONS and all(a.ribbon for a in excel.BUTTONS.values())
    for item in ACTIONS:
        assert sum(p.ask for p in item.params) <= 1 and set(item.labels) == {"en", "ja", "zh"}
        assert action(item.control_id) is item is action(item.name)
    assert 'Case "arStatements": ArbookAsk = "folder"' in excel.labels_module()


def test_ribbon_statements_button_writes_into_the_folder_it_was_given(tmp_path):
    import shutil

    from arbook.adapters.book import open_book
    from arbook.resources import resource

    shutil.copyfile(resource("samples", "book.xlsx"), tmp_path / "book.xlsx")

    class App:
        status_bar, alerts = None, []

        def alert(self, text, title=""):
            self.alerts.append(text)

    book = open_book(tmp_path / "book.xlsx")
    book.app = App()
    try:
        message = excel.on_ribbon("arStatements", str(tmp_path / "out"), book=book)
    finally:
        book.close()
    count = len(list((tmp_path / "out").glob("*.xlsx")))
    assert count > 0 and message.startswith(f"wrote {count} statement(s) to ")


def test_generated_ribbon_sources_in_macros_are_current():
    from arbook.resources import resource

    assert resource("macros", "ArbookLabels.bas").read_bytes() == excel.labels_module().encode("ascii")
    assert resource("macros", "customUI14.xml").read_bytes() == excel.custom_ui()
