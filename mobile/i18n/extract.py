"""Finds the strings the app shows, and writes them into a language's .po catalogue.

    strings = extract(Path("mobile"))        # {msgid: [where, ...]} from _("…") and N_("…")
    python -m mobile.i18n.extract            # lists msgids missing from any catalogue

Python files are read with `ast` (calls of `_` or `N_` with a literal string); .kv files with a
regular expression over `_("…")` / `N_("…")`, as kv values are Python expressions.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from mobile.i18n.catalogue import CATALOGUE_DIR, LANGUAGES, load

APP_DIR = CATALOGUE_DIR.parent

#: `_("…")` or `N_('…')` in a .kv value (no nested quotes of the same kind, as in the app).
KV_CALL = re.compile(r"""\bN?_\(\s*(?P<q>["'])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*\)""")

#: A kv `text:` whose value is a bare string literal with a letter in it: UI text not going
#: through `_` ("" and "1" are not words to translate).
KV_LITERAL_TEXT = re.compile(r"""^\s*text:\s*(["'])[^"']*[^\W\d_][^"']*\1\s*$""")


def python_strings(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def kv_strings(path: Path) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in KV_CALL.finditer(line):
            text = ast.literal_eval(match.group("q") + match.group("text") + match.group("q"))
            found.append((text, number))
    return found


def kv_literals(path: Path) -> list[tuple[int, str]]:
    """Lines of a .kv file that set `text:` to a literal string."""
    return [
        (number, line.strip())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if KV_LITERAL_TEXT.match(line)
    ]


def sources(root: Path = APP_DIR) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in (".py", ".kv") and "__pycache__" not in path.parts
    )


def extract(root: Path = APP_DIR) -> dict[str, list[str]]:
    """Every msgid with the places it is used ("screens/dashboard.kv:12")."""
    found: dict[str, list[str]] = {}
    for path in sources(root):
        strings = python_strings(path) if path.suffix == ".py" else kv_strings(path)
        for text, line in strings:
            found.setdefault(text, []).append(f"{path.relative_to(root)}:{line}")
    return found


def missing(root: Path = APP_DIR) -> dict[str, list[str]]:
    """For each language, the msgids with no non-empty translation in its catalogues."""
    used = extract(root)
    return {lang: sorted(set(used) - set(load(lang))) for lang in LANGUAGES}


def main() -> int:
    gaps = missing()
    for lang, msgids in gaps.items():
        for msgid in msgids:
            print(f"{lang}\t{msgid}")
    return 1 if any(gaps.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
