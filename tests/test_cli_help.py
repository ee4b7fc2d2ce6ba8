"""Every argument of every command says what it is for in ``--help`` (a file of its own: the mutation
run gives it to each CLI module that registers commands, without the rest of test_cli.py)."""

from __future__ import annotations


def test_every_argument_of_every_command_explains_itself_in_its_help() -> None:
    """``alliance-atlas CMD --help`` says what each argument is for: none is listed bare."""
    import argparse

    from app.cli import build_parser

    bare: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    assert sub.description or any(c.dest == name and c.help for c in action._choices_actions), name
                    walk(sub, f"{path} {name}")
            elif not isinstance(action, argparse._HelpAction) and not (action.help or "").strip():
                bare.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "alliance-atlas")
    assert bare == []
