"""Build ``python_docs.tsv.gz`` from the reST sources of Python's documentation.

Usage::

    python make_python_docs.py SOURCES OUTPUT

``SOURCES`` is the ``html/_sources`` folder of Python 3.11's documentation (Debian's
``python3.11-doc`` package installs it); ``OUTPUT`` is the gzipped ``topic<TAB>paragraph``
file to write. A paragraph is a blank-line separated block of prose of at least
``MIN_WORDS`` words, with reST markup stripped; literal blocks, directives, tables and
interactive sessions are skipped, as are duplicates. A paragraph of a library page
whose module is listed in ``TOPICS`` carries that topic; every other paragraph has an
empty topic. This script is kept for provenance: the package never runs it.
"""

import gzip
import os
import re
import sys
from collections import Counter

MIN_WORDS = 15

TOPICS = {
    "networking": (
        "socket ssl http http.client http.server http.cookies http.cookiejar urllib "
        "urllib.request urllib.parse urllib.error urllib.robotparser email email.message "
        "email.parser email.generator email.policy email.headerregistry "
        "email.contentmanager email.mime email.utils email.charset email.encoders "
        "email.errors email.header email.iterators email.compat32-message smtplib ftplib "
        "imaplib poplib xmlrpc xmlrpc.client xmlrpc.server socketserver ipaddress mailbox "
        "mimetypes wsgiref nntplib telnetlib uuid select selectors webbrowser netdata "
        "internet"
    ),
    "concurrency": (
        "threading multiprocessing multiprocessing.shared_memory concurrent "
        "concurrent.futures asyncio asyncio-task asyncio-stream asyncio-sync "
        "asyncio-subprocess asyncio-queue asyncio-exceptions asyncio-eventloop "
        "asyncio-future asyncio-protocol asyncio-policy asyncio-platforms "
        "asyncio-extending asyncio-llapi-index asyncio-api-index asyncio-dev "
        "asyncio-runner queue subprocess sched signal contextvars _thread concurrency"
    ),
    "text": (
        "string re textwrap difflib codecs html html.parser html.entities xml "
        "xml.etree.elementtree xml.dom xml.dom.minidom xml.dom.pulldom xml.sax "
        "xml.sax.handler xml.sax.utils xml.sax.reader pyexpat gettext locale shlex "
        "stringprep unicodedata readline rlcompleter text i18n markup"
    ),
    "files": (
        "os os.path pathlib shutil glob fnmatch tempfile zipfile tarfile io gzip bz2 "
        "lzma zlib filecmp fileinput stat csv configparser netrc mmap linecache filesys "
        "fileformats archiving tomllib plistlib"
    ),
    "numbers": (
        "math decimal fractions statistics random cmath numbers colorsys numeric secrets"
    ),
    "data": (
        "collections collections.abc heapq bisect array enum dataclasses typing copy "
        "weakref functools itertools operator types abc contextlib graphlib json pickle "
        "copyreg shelve marshal dbm sqlite3 struct datetime calendar zoneinfo pprint "
        "reprlib datatypes persistence functional"
    ),
}

SKIPPED_FOLDERS = (
    "whatsnew", "c-api", "extending", "distributing", "installing", "license",
    "copyright", "bugs", "about", "glossary", "contents",
)
MARKUP_STARTS = ("..", ">>>", "...", "+-", "|", "=", "----", "****", ":", "$", "%")

_ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
_LITERAL = re.compile(r"``([^`]*)``")
_LINK = re.compile(r"`([^`<]*?)(?:\s*<[^>]*>)?`_*")
_EMPHASIS = re.compile(r"\*\*?([^*]+)\*\*?")


def source_files(sources):
    """Paths of the ``.rst.txt`` files under ``sources``, sorted, skipped folders left out."""
    paths = []
    for folder, _, names in os.walk(sources):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(".rst.txt") and not os.path.relpath(
                path, sources
            ).startswith(SKIPPED_FOLDERS):
                paths.append(path)
    return sorted(paths)


def plain_text(block):
    """One paragraph of reST as plain text on one line."""
    text = " ".join(line.strip() for line in block)
    for pattern in (_ROLE, _LITERAL, _LINK, _EMPHASIS):
        text = pattern.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def paragraphs(text):
    """The prose paragraphs of one reST page, in order."""
    after_literal_marker = False
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        is_literal_block = after_literal_marker
        after_literal_marker = lines[-1].rstrip().endswith("::")
        if is_literal_block or lines[0].strip().startswith(MARKUP_STARTS):
            continue
        paragraph = plain_text(lines)
        if len(paragraph.split()) >= MIN_WORDS and not paragraph.startswith(("#", "..")):
            yield paragraph


def labelled_paragraphs(sources):
    """``(topic, paragraph)`` pairs of every page under ``sources``, duplicates dropped."""
    topic_of = {
        module: topic for topic, modules in TOPICS.items() for module in modules.split()
    }
    seen = set()
    for path in source_files(sources):
        module = os.path.basename(path)[: -len(".rst.txt")]
        in_library = os.path.relpath(path, sources).startswith("library")
        topic = topic_of.get(module, "") if in_library else ""
        with open(path, encoding="utf-8") as file:
            for paragraph in paragraphs(file.read()):
                if paragraph not in seen:
                    seen.add(paragraph)
                    yield topic, paragraph


def main(argv):
    if len(argv) != 3:
        sys.exit(f"usage: {os.path.basename(argv[0])} SOURCES OUTPUT")
    rows = list(labelled_paragraphs(argv[1]))
    with gzip.open(argv[2], "wt", encoding="utf-8", compresslevel=9) as out:
        for topic, paragraph in rows:
            out.write(f"{topic}\t{paragraph}\n")
    words = sum(len(paragraph.split()) for _, paragraph in rows)
    print(f"{len(rows)} paragraphs, {words} words; topics:", dict(Counter(t for t, _ in rows)))


if __name__ == "__main__":
    main(sys.argv)
