#!/usr/bin/env python3
"""Translation catalogs: extract the messages of the code, update the ``.po`` files, compile them.

    python3 scripts/i18n.py update    # extract every domain, merge into locale/<lang>/LC_MESSAGES/*.po
    python3 scripts/i18n.py compile   # .po -> .mo (the .mo files are committed: a plain install has them)
    python3 scripts/i18n.py check     # exit 1 on a missing, untranslated or stale message, or a stale .mo

Uses Babel (a test/development dependency, as ``pybabel extract/update/compile`` would; the app
itself reads the .mo files with the standard library's ``gettext``). Messages are found in calls of
``_``, ``N_``, ``ngettext`` (singular, plural) and in the message ids of ``ConfigError``,
``DataError`` and ``PlaygroundError``. The domains (which file feeds which catalog) are declared in
``playground/i18n/domains.py``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.mofile import read_mo, write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from playground.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR  # noqa: E402
from playground.i18n.domains import DOMAINS, domain_of  # noqa: E402

KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "ConfigError": None,
    "DataError": None,
    "PlaygroundError": None,
}
TRANSLATED = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]


def sources() -> list[str]:
    """Every Python file of the app (posix paths relative to the project root)."""
    files = [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "playground").rglob("*.py")),
    ]
    return [f.relative_to(ROOT).as_posix() for f in files]


def extract(domain: str) -> Catalog:
    """The template (ids only) of ``domain``: every message of its files, with locations."""
    template = Catalog(project="nn-playground", domain=domain)
    for rel in sources():
        if domain_of(rel) != domain:
            continue
        for lineno, message, comments, context in extract_from_file(
            "python", str(ROOT / rel), keywords=KEYWORDS, comment_tags=("i18n:",)
        ):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            template.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return template


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def load_po(lang: str, domain: str) -> Catalog:
    path = po_path(lang, domain)
    if not path.exists():
        return Catalog(locale="zh_Hans_CN" if lang == "zh" else lang, domain=domain, project="nn-playground")
    with path.open("rb") as fh:
        return read_po(fh, locale="zh_Hans_CN" if lang == "zh" else lang, domain=domain)


def save_po(catalog: Catalog, lang: str, domain: str) -> None:
    path = po_path(lang, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=False, omit_header=False, ignore_obsolete=True)
    path.write_bytes(buf.getvalue())


def update() -> None:
    for domain in DOMAINS:
        template = extract(domain)
        for lang in TRANSLATED:
            cat = load_po(lang, domain)
            cat.update(template, no_fuzzy_matching=True)
            save_po(cat, lang, domain)
            missing = sum(1 for m in cat if m.id and not _translated(m))
            print(f"{lang}/{domain}.po: {len(template)} messages, {missing} untranslated")


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(s.strip() for s in message.string)
    return bool(message.string and message.string.strip())


def compile_all() -> None:
    for domain in DOMAINS:
        for lang in TRANSLATED:
            if not po_path(lang, domain).exists():
                continue
            cat = load_po(lang, domain)
            buf = io.BytesIO()
            write_mo(buf, cat, use_fuzzy=False)
            mo = po_path(lang, domain).with_suffix(".mo")
            mo.write_bytes(buf.getvalue())
            print(f"compiled {mo.relative_to(ROOT)}")


def problems() -> list[str]:
    """Every message of the code missing from a catalog or untranslated, every stale id, every
    .mo that does not match its .po."""
    out: list[str] = []
    for domain in DOMAINS:
        template = extract(domain)
        wanted = {m.id if not isinstance(m.id, tuple) else m.id[0]: m for m in template if m.id}
        for lang in TRANSLATED:
            if not po_path(lang, domain).exists():
                if wanted:
                    out.append(f"{lang}/{domain}.po is missing ({len(wanted)} messages)")
                continue
            cat = load_po(lang, domain)
            have = {m.id if not isinstance(m.id, tuple) else m.id[0]: m for m in cat if m.id}
            for key, m in wanted.items():
                where = ", ".join(f"{f}:{n}" for f, n in m.locations[:2])
                if key not in have:
                    out.append(f"{lang}/{domain}.po lacks {key!r} ({where})")
                elif not _translated(have[key]):
                    out.append(f"{lang}/{domain}.po: {key!r} is untranslated ({where})")
                elif have[key].fuzzy:
                    out.append(f"{lang}/{domain}.po: {key!r} is fuzzy ({where})")
            for key in have.keys() - wanted.keys():
                out.append(f"{lang}/{domain}.po: stale id {key!r} (no longer in the code)")
            mo = po_path(lang, domain).with_suffix(".mo")
            if not mo.exists():
                out.append(f"{mo.relative_to(ROOT)} is missing: run python3 scripts/i18n.py compile")
            else:
                with mo.open("rb") as fh:
                    # read_mo gives a plural entry's id and forms as lists (read_po: tuples)
                    compiled = {
                        m.id if not isinstance(m.id, tuple | list) else m.id[0]: (
                            tuple(m.string) if isinstance(m.string, tuple | list) else m.string
                        )
                        for m in read_mo(fh)
                        if m.id
                    }
                current = {
                    k: tuple(m.string) if isinstance(m.string, tuple | list) else m.string
                    for k, m in have.items()
                    if _translated(m) and not m.fuzzy
                }
                if compiled != current:
                    out.append(f"{mo.relative_to(ROOT)} is stale: run python3 scripts/i18n.py compile")
    return out


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "update":
        update()
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
