"""Build a labelled corpus of paragraphs from the Python 3.11 library reference (reST sources, PSF License)."""
import gzip, os, re, sys
from collections import Counter
SOURCES = sys.argv[1]  # .../html/_sources
GROUPS = {
    "networking": "socket ssl http http.client http.server http.cookies http.cookiejar urllib urllib.request urllib.parse urllib.error urllib.robotparser email email.message email.parser email.generator email.policy email.headerregistry email.contentmanager email.mime email.utils email.charset email.encoders email.errors email.header email.iterators email.compat32-message smtplib ftplib imaplib poplib xmlrpc xmlrpc.client xmlrpc.server socketserver ipaddress mailbox mimetypes wsgiref nntplib telnetlib uuid select selectors webbrowser netdata internet",
    "concurrency": "threading multiprocessing multiprocessing.shared_memory concurrent concurrent.futures asyncio asyncio-task asyncio-stream asyncio-sync asyncio-subprocess asyncio-queue asyncio-exceptions asyncio-eventloop asyncio-future asyncio-protocol asyncio-policy asyncio-platforms asyncio-extending asyncio-llapi-index asyncio-api-index asyncio-dev asyncio-runner queue subprocess sched signal contextvars _thread concurrency",
    "text": "string re textwrap difflib codecs html html.parser html.entities xml xml.etree.elementtree xml.dom xml.dom.minidom xml.dom.pulldom xml.sax xml.sax.handler xml.sax.utils xml.sax.reader pyexpat gettext locale shlex stringprep unicodedata readline rlcompleter text i18n markup",
    "files": "os os.path pathlib shutil glob fnmatch tempfile zipfile tarfile io gzip bz2 lzma zlib filecmp fileinput stat csv configparser netrc mmap linecache filesys fileformats archiving tomllib plistlib",
    "numbers": "math decimal fractions statistics random cmath numbers colorsys numeric secrets",
    "data": "collections collections.abc heapq bisect array enum dataclasses typing copy weakref functools itertools operator types abc contextlib graphlib json pickle copyreg shelve marshal dbm sqlite3 struct datetime calendar zoneinfo pprint reprlib datatypes persistence functional",
}
group_of = {m: g for g, ms in GROUPS.items() for m in ms.split()}
ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")
SKIP = ("whatsnew", "c-api", "extending", "distributing", "installing", "license", "copyright", "bugs", "about", "glossary", "contents")
paths = []
for d, _, fs in os.walk(SOURCES):
    for f in fs:
        if f.endswith(".rst.txt"):
            paths.append(os.path.join(d, f))
rows = []
for path in sorted(paths):
    relative = os.path.relpath(path, SOURCES)
    if relative.startswith(SKIP):
        continue
    module = os.path.basename(path)[: -len(".rst.txt")]
    group = group_of.get(module, "") if relative.startswith("library") else ""
    text = open(path, encoding="utf-8").read()
    literal = False
    for block in re.split(r"\n\s*\n", text):
        lines = [l for l in block.split("\n") if l.strip()]
        if not lines:
            continue
        follows_literal, literal = literal, lines[-1].rstrip().endswith("::")
        if follows_literal:  # the literal block after "::": code
            continue
        first = lines[0].strip()
        if first.startswith(("..", ">>>", "...", "+-", "|", "=", "-" * 4, "*" * 4, ":", "$", "%")):
            continue
        para = " ".join(l.strip() for l in lines)
        para = ROLE.sub(r"\1", para)
        para = re.sub(r"``([^`]*)``", r"\1", para)
        para = re.sub(r"`([^`<]*?)(?:\s*<[^>]*>)?`_*", r"\1", para)
        para = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", para)
        para = re.sub(r"\s+", " ", para).strip()
        if len(para.split()) >= 15 and not para.startswith(("#", "..")):
            rows.append((group, para))
seen = set(); unique = [(g, t) for g, t in rows if not (t in seen or seen.add(t))]
print(Counter(g for g, _ in unique), sum(len(t.split()) for _, t in unique), "words,", len(unique), "paragraphs;",
      sum(len(t.split()) for g, t in unique if g), "labelled words")
with gzip.open(sys.argv[2], "wt", encoding="utf-8", compresslevel=9) as out:
    for g, t in unique:
        out.write(f"{g}\t{t}\n")
