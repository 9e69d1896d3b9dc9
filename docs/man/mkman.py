#!/usr/bin/env python3
"""Generates the section 3 manual of libbedrock at build time.

  mkman.py --include include/bedrock --docs docs --version 1.0.0 \
           --date 2026-11-23 --out build/man

writes OUT/man3/:
  - one page per public header area (bedrock_client.3, ...), converted from
    the Markdown reference in docs/api/*.md (and docs/ERRORS.md), so the
    manual and the Markdown never disagree;
  - one page per function declared in include/bedrock/*.h, from its
    prototype and the comment above it (man bedrock_stream_next).
and OUT/functions.txt, the functions it found, one a line.

  mkman.py --list-functions include/bedrock   prints the functions only.

Only the Python standard library is used; no page is written by hand here.
"""
import argparse
import os
import re
import shutil
import sys

# area page -> (Markdown source relative to docs/, headers it covers, what it is)
AREAS = {
    "bedrock_client": ("api/client.md", ["client.h"],
                       "call Claude on Amazon Bedrock: clients, requests and streams"),
    "bedrock_credentials": ("api/credentials.md", ["credentials.h"],
                            "AWS credentials and credential providers"),
    "bedrock_google": ("api/google.md", ["google.h"],
                       "Google credentials: Application Default Credentials and OAuth tokens"),
    "bedrock_config": (None, ["config.h"],
                       "the shared AWS config files, profiles, region and endpoints"),
    "bedrock_auth": (None, ["auth.h"], "SigV4 or a Bedrock API key"),
    "bedrock_eventstream": ("api/eventstream.md", ["eventstream.h"],
                            "AWS event-stream decoder, encoder and Bedrock event reader"),
    "bedrock_messages": ("api/messages.md", ["messages.h"],
                         "the Anthropic Messages model: requests, responses, streams"),
    "bedrock_models": ("api/models.md", ["models.h"], "the Claude model catalog"),
    "bedrock_retry": ("api/retry.md", ["retry.h"],
                      "when to retry a Bedrock call, and after how long"),
    "bedrock_sigv4": ("api/sigv4.md", ["sigv4.h"], "AWS Signature Version 4"),
    "bedrock_errors": ("ERRORS.md", ["errors.h"], "the error codes of libbedrock"),
    "bedrock_control": ("api/control.md", ["control.h"],
                        "the Bedrock control plane: models, inference profiles, logging"),
    "bedrock_sse": ("api/sse.md", ["sse.h"], "Server-Sent Events decoder and encoder"),
    "bedrock_platform": ("api/platform.md", ["platform.h"],
                         "Bedrock, the Anthropic API and Vertex AI: one Messages body, three dialects"),
}
# config.h and auth.h have no Markdown page of their own (credentials.md
# covers them with the credentials): their pages come from the header.
# The umbrella header's functions belong to the library page itself.
HEADER_AREA = {"bedrock.h": "libbedrock"}
for _area, (_md, _hdrs, _d) in AREAS.items():
    for _h in _hdrs:
        HEADER_AREA[_h] = _area


# ---- roff text ---------------------------------------------------------------

def esc(s, code=False):
    """Escapes text for roff: backslashes, non-ASCII (as \\[uXXXX], which
    groff and mandoc both read), and in code, the minus sign."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\e")
        elif ch == "-" and code:
            out.append("\\-")
        elif o > 126 or (o < 32 and ch != "\t"):
            out.append("\\[u%04X]" % o if o <= 0xFFFF else "\\[u%X]" % o)
        else:
            out.append(ch)
    return "".join(out)


def line_safe(s):
    """A roff text line must not start with a control character or space."""
    s = s.strip()
    if s.startswith((".", "'")):
        s = "\\&" + s
    return s


_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])"
                     r"|\[([^\]]+)\]\(([^)]+)\)")


def md_inline(s):
    """Markdown inline markup to roff: `code` and **bold** bold, *em* italic,
    [text](link) as its text."""
    out, pos = [], 0
    for m in _INLINE.finditer(s):
        out.append(esc(s[pos:m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + breakable(esc(m.group(1), code=True)) + "\\fR")
        elif m.group(2) is not None:
            out.append("\\fB" + md_inline(m.group(2)).replace("\\fR", "\\fB") + "\\fR")
        elif m.group(3) is not None:
            out.append("\\fI" + esc(m.group(3)) + "\\fR")
        else:
            out.append(md_inline(m.group(4)))
        pos = m.end()
    out.append(esc(s[pos:]))
    return "".join(out)


def breakable(s):
    """Long code (JSON shapes) may break after its commas: \\: is an
    invisible break point, so filled text never runs past the margin."""
    return s.replace(",", ",\\:") if len(s) > 40 else s


def plain(s):
    """Markdown inline text with the markup dropped (for NAME lines)."""
    s = re.sub(r"`([^`]+)`", r"\1", s)
    s = re.sub(r"\*\*(.+?)\*\*", r"\1", s)
    return s


def fill(lines, inline=md_inline):
    """A paragraph's lines as roff text lines (one source line each)."""
    return [line_safe(inline(ln)) for ln in lines if ln.strip()]


def code_block(lines):
    out = [".PP", ".in +4n", ".EX"]
    for ln in lines:
        ln = ln.rstrip().replace("\t", "        ")
        t = esc(ln, code=True)
        out.append("\\&" + t if t.startswith((".", "'")) or not t else t)
    out += [".EE", ".in"]
    return out


# ---- Markdown -> roff ----------------------------------------------------------

def md_blocks(lines):
    """Splits Markdown body lines into blocks: ('h', level, text),
    ('code', lines), ('table', rows), ('list', ordered, items), ('p', lines)."""
    blocks, i, n = [], 0, len(lines)
    while i < n:
        ln = lines[i]
        s = ln.strip()
        if not s or re.fullmatch(r"-{3,}|\*{3,}", s):
            i += 1
            continue
        if s.startswith("```"):
            j = i + 1
            while j < n and not lines[j].strip().startswith("```"):
                j += 1
            blocks.append(("code", lines[i + 1:j]))
            i = j + 1
            continue
        m = re.match(r"(#{1,6})\s+(.*)", s)
        if m:
            blocks.append(("h", len(m.group(1)), m.group(2).strip()))
            i += 1
            continue
        if s.startswith("|"):
            rows = []
            while i < n and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            blocks.append(("table", rows))
            continue
        lm = re.match(r"([-*]|\d+\.)\s+(.*)", s)
        if lm and not ln.startswith((" ", "\t")):
            ordered = lm.group(1)[0].isdigit()
            items = []
            while i < n:
                cur = lines[i]
                m2 = re.match(r"([-*]|\d+\.)\s+(.*)", cur.strip())
                if m2 and not cur.startswith((" ", "\t")):
                    items.append((m2.group(1), [m2.group(2)]))
                elif cur.strip() and cur.startswith((" ", "\t")) and items:
                    items[-1][1].append(cur.strip())
                else:
                    break
                i += 1
            blocks.append(("list", ordered, items))
            continue
        para = []
        while i < n:
            t = lines[i].strip()
            if (not t or t.startswith(("```", "#", "|")) or
                    (re.match(r"([-*]|\d+\.)\s+", t) and not lines[i].startswith((" ", "\t")))):
                break
            para.append(t)
            i += 1
        blocks.append(("p", para))
    return blocks


def render_blocks(blocks):
    out = []
    for b in blocks:
        kind = b[0]
        if kind == "code":
            out += code_block(b[1])
        elif kind == "p":
            out += [".PP"] + fill(b[1])
        elif kind == "roff":
            out += b[1]
        elif kind == "h":
            out += [".SS " + md_inline(plain(b[2]))]
        elif kind == "list":
            for mark, text in b[2]:
                out += ['.IP "%s" 4' % mark if b[1] else ".IP \\(bu 2"] + fill(text)
            out.append(".PP")
        elif kind == "table":
            rows = b[1]
            head, body = rows[0], rows[1:]
            for r in body:
                out += [".TP", line_safe(md_inline(r[0]) if r[0] else "\\(em")]
                parts = []
                for h, c in zip(head[1:], r[1:]):
                    if c:
                        parts.append("%s: %s" % (plain(h), c))
                out += fill(["; ".join(parts) if parts else "\\&"]) if parts else ["\\&"]
            out.append(".PP")
    # ".PP" right before a heading or at the end is noise.
    clean = []
    for ln in out:
        if ln.startswith((".SS", ".SH", ".PP")) and clean and clean[-1] == ".PP":
            clean.pop()
        clean.append(ln)
    if clean and clean[-1] == ".PP":
        clean.pop()
    return clean


def md_to_sections(text):
    """Markdown document -> ordered [(SECTION, blocks)]. Level-2 headings
    become sections; the text before the first one is the DESCRIPTION's
    start; the page's own title and Header:/Link: lines are dropped (the
    generated NAME and SYNOPSIS say that)."""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    blocks = md_blocks(lines)
    sections, cur, name = [], [], "DESCRIPTION"
    for b in blocks:
        if b[0] == "h" and b[1] <= 2:
            sections.append((name, cur))
            name, cur = plain(b[2]), []
            continue
        if b[0] == "h":
            b = ("h", b[1], b[2])
        if b[0] == "p" and re.match(r"(Headers?|Link):", b[1][0]):
            rest = [ln for ln in b[1] if not re.match(r"(Headers?|Link):", ln)]
            if not rest:
                continue
            b = ("p", rest)
        cur.append(b)
    sections.append((name, cur))
    merged = []
    for nm, bl in sections:
        if not bl and nm == "DESCRIPTION":
            continue
        if nm == "NAME":
            continue
        for k, (n2, b2) in enumerate(merged):
            if n2 == nm:
                merged[k] = (n2, b2 + bl)
                break
        else:
            merged.append((nm, bl))
    return merged


def th(name, version, date):
    # .nh: identifiers such as BEDROCK_EPROTOCOL must not be hyphenated;
    # .ad l: long code and identifiers leave nothing to justify with.
    return ['.TH %s 3 "%s" "libbedrock %s" "Library Functions Manual"' % (
        esc(name.upper(), code=True), date, version), ".nh", ".ad l"]


def section_heading(nm):
    std = {"SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "ERRORS", "EXAMPLE", "EXAMPLES",
           "THREAD SAFETY", "PERFORMANCE", "NOTES", "SEE ALSO"}
    up = nm.upper()
    if up in std or nm == up:
        return '.SH "%s"' % up if " " in up else ".SH " + up
    return '.SH "%s"' % esc(plain(nm))


def header_sections(path, known):
    """A header's own file comment, without its licence lines, as the
    DESCRIPTION of a page that has no Markdown."""
    with open(path, encoding="utf-8") as f:
        m = re.match(r"\s*(/\*.*?\*/)", f.read(), re.S)
    lines = comment_lines(m.group(1)) if m else []
    while lines and (not lines[0].strip() or re.match(r"(libbedrock -|Copyright )", lines[0])):
        lines.pop(0)
    return [("DESCRIPTION", [("roff", comment_body(lines, known))])]


def area_page(area, docs, include, version, date, funcs_by_area, summaries):
    md, headers, what = AREAS[area]
    out = th(area, version, date)
    out += [".SH NAME", "%s \\- %s" % (esc(area, code=True), esc(what))]
    if md:
        sections = md_to_sections(open(os.path.join(docs, md), encoding="utf-8").read())
    else:
        sections = header_sections(os.path.join(include, headers[0]), set(summaries))
    names = [n.upper() for n, _ in sections]
    if "SYNOPSIS" not in names:
        out += [".SH SYNOPSIS", ".nf"]
        for h in headers:
            out.append(".B #include <bedrock/%s>" % h)
        out += [".fi", ".PP", "Link with \\fI\\-lbedrock\\fR "
                "(\\fBpkg\\-config \\-\\-libs bedrock\\fR)."]
    for nm, blocks in sections:
        out.append(section_heading(nm))
        out += render_blocks(blocks)
    funcs = sorted(funcs_by_area.get(area, []))
    if funcs:
        out.append(".SH FUNCTIONS")
        for f in funcs:
            out += [".TP", ".BR %s (3)" % esc(f, code=True), line_safe(esc(summaries[f]))]
    out += see_also([a + "(3)" for a in sorted(AREAS) if a != area] + ["libbedrock(3)"])
    return out


def see_also(refs):
    out = [".SH \"SEE ALSO\""]
    for k, r in enumerate(refs):
        n, sec = r[:-3], r[-2]
        out.append(".BR %s (%s)%s" % (esc(n, code=True), sec, "," if k < len(refs) - 1 else ""))
    return out


# ---- headers -> per-function pages ---------------------------------------------

def strip_cplusplus(text):
    return re.sub(r"#ifdef __cplusplus\n.*?#endif\n", "", text, flags=re.S)


def parse_header(text):
    """Yields (name, prototype, comment) for each function declared at file
    scope. A function without a comment of its own shares the one of the
    declaration right above it when no blank line separates them."""
    text = strip_cplusplus(text)
    # Preprocessor lines (and their continuations) out, keeping line count.
    text = re.sub(r"(?m)^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", lambda m: "\n" * m.group(0).count("\n"), text)
    i, n, depth, line = 0, len(text), 0, 1
    last_comment = None          # (text, end_line)
    stmt, stmt_line, prev_end_line = [], None, 0
    prev_func_comment, prev_stmt_end = None, -10
    results = []
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            body = text[i:j]
            start_line = line
            line += body.count("\n")
            if depth == 0 and not "".join(stmt).strip():
                trailing = start_line == prev_end_line
                if not trailing:
                    last_comment = (body, line)
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "\n":
            line += 1
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == ";" and depth == 0:
            s = " ".join("".join(stmt).split())
            comment = None
            if last_comment and last_comment[1] >= (stmt_line or line) - 1:
                comment = last_comment[0]
            m = re.match(r"^(?!typedef\b)(.*?\b)(bedrock_\w+)\s*\((.*)\)$", s, re.S)
            if m and "(" not in m.group(1):
                if comment is None and prev_func_comment and stmt_line == prev_stmt_end + 1:
                    comment = prev_func_comment
                results.append((m.group(2), m.group(1).strip(), m.group(3).strip(), comment))
                prev_func_comment = comment
            else:
                prev_func_comment = None
            prev_stmt_end = line
            prev_end_line = line
            stmt, stmt_line, last_comment = [], None, None
            i += 1
            continue
        if depth >= 0:
            if stmt_line is None and not c.isspace():
                stmt_line = line
            stmt.append(c)
        i += 1
    return results


def parse_headers(include_dir):
    funcs = []
    for h in sorted(os.listdir(include_dir)):
        if h.endswith(".h"):
            with open(os.path.join(include_dir, h), encoding="utf-8") as f:
                for name, ret, args, comment in parse_header(f.read()):
                    funcs.append((h, name, ret, args, comment))
    return funcs


def comment_lines(comment):
    if not comment:
        return []
    body = comment[2:-2]
    if body.startswith("*"):
        body = body[1:]
    out = []
    for ln in body.split("\n"):
        ln = re.sub(r"^\s*\* ?", "", ln) if re.match(r"^\s*\*", ln) else ln.strip()
        out.append(ln.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def c_inline(s, known):
    """A header comment's text to roff: @p x italic, known function names
    bold."""
    out, pos = [], 0
    for m in re.finditer(r"@p\s+(\w+)|\b(bedrock_\w+)\(\)|`([^`]+)`", s):
        out.append(esc(s[pos:m.start()]))
        if m.group(1):
            out.append("\\fI" + esc(m.group(1), code=True) + "\\fR")
        elif m.group(2):
            out.append("\\fB" + esc(m.group(2), code=True) + "\\fR()")
        else:
            out.append("\\fB" + esc(m.group(3), code=True) + "\\fR")
        pos = m.end()
    out.append(esc(s[pos:]))
    return " ".join(breakable(w) for w in "".join(out).split(" "))


def split_comment(lines):
    """-> (body lines, [(param, dir, text lines)], return text lines)."""
    body, params, ret, cur = [], [], [], None
    for ln in lines:
        m = re.match(r"\s*@param(\[(in|out|in,out)\])?\s+(\w+)\s*(.*)", ln)
        r = re.match(r"\s*@returns?\s*(.*)", ln)
        if m:
            cur = [m.group(3), m.group(2), [m.group(4)]]
            params.append(cur)
        elif r:
            cur = ret
            ret.append(r.group(1))
        elif cur is not None and ln.strip():
            (cur[2] if cur is not ret else ret).append(ln.strip())
        elif cur is not None:
            cur = None
        else:
            body.append(ln)
    return body, params, ret


def comment_body(lines, known):
    """Body lines (paragraphs, '1.' and '-' lists, indented lines) to roff."""
    out, para = [], []

    def flush():
        if para:
            out.append(".PP")
            out.extend(line_safe(c_inline(p, known)) for p in para)
            para.clear()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"^(\s*)(\d+\.|-)\s+(.*)", ln)
        if not ln.strip():
            flush()
        elif m:
            flush()
            lvl = len(m.group(1))
            item = [m.group(3)]
            j = i + 1
            while (j < len(lines) and lines[j].strip() and
                   not re.match(r"^\s*(\d+\.|-)\s+", lines[j]) and
                   len(lines[j]) - len(lines[j].lstrip()) > lvl):
                item.append(lines[j].strip())
                j += 1
            mark = m.group(2)
            if lvl > 1:
                out.append(".RS 4")
            out.append('.IP "%s" 4' % mark if mark[0].isdigit() else ".IP \\(bu 2")
            out.extend(line_safe(c_inline(p, known)) for p in item)
            if lvl > 1:
                out.append(".RE")
            i = j
            continue
        else:
            para.append(ln)
        i += 1
    flush()
    return out


def first_sentence(lines):
    text = " ".join(ln.strip() for ln in lines if ln.strip())
    text = re.sub(r"@p\s+", "", text)
    s, depth = text, 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if (ch in ".:;" and depth <= 0 and (k + 1 == len(text) or text[k + 1] == " ") and
                not re.search(r"\b(e\.g|i\.e|etc|vs)$", text[:k])):
            s = text[:k]
            break
    if len(s) > 90:
        # A NAME line is a one-line summary: end it at the last clause
        # boundary (a comma or a parenthesis, outside parentheses) before
        # 90 characters.
        cut, depth = None, 0
        for k, ch in enumerate(s[:90]):
            if depth == 0 and k >= 20 and (s.startswith(", ", k) or s.startswith(" (", k)):
                cut = k
            depth += (ch == "(") - (ch == ")")
        if cut:
            s = s[:cut]
    return s


def prototype_lines(ret, name, args):
    """The prototype, wrapped under its opening parenthesis."""
    head = "%s%s%s(" % (ret, "" if ret.endswith("*") else " ", name)
    parts = [a.strip() for a in split_args(args)]
    lines, cur = [], head
    for k, p in enumerate(parts):
        piece = p + ("," if k < len(parts) - 1 else ");")
        if cur != head and not cur.endswith("(") and len(cur) + 1 + len(piece) > 72:
            lines.append(cur)
            cur = " " * len(head) + piece
        else:
            cur += ("" if cur.endswith("(") else " ") + piece
    lines.append(cur)
    return lines


def split_args(args):
    parts, depth, cur = [], 0, ""
    for ch in args:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def name_summary(name, args, area):
    """A NAME line for a function whose comment gives none, from its name
    and the type of its handle argument."""
    handle = None
    for a in split_args(args):
        m = re.match(r"(?:const\s+)?(bedrock_\w+)\s*\*", a.strip())
        if m and (handle is None or name.startswith(m.group(1) + "_")):
            handle = m.group(1)
    verbs = [("_new", "create a %s"), ("_free", "free a %s"), ("_ref", "take a reference to a %s"),
             ("_release", "drop a reference to a %s"), ("_dispose", "release what a %s holds")]
    for suffix, text in verbs:
        if name.endswith(suffix) and handle:
            return text % handle
    if handle and name.startswith(handle + "_"):
        what = name[len(handle) + 1:]
        for verb, text in (("set_", "set the %s of a %s"), ("add_", "add a %s to a %s"),
                           ("get_", "the %s of a %s")):
            if what.startswith(verb):
                return text % (what[len(verb):].replace("_", " "), handle)
        return "the %s of a %s" % (what.replace("_", " "), handle)
    return "part of the %s interface of libbedrock" % area.replace("bedrock_", "")


def summary(header, name, args, comment):
    """The NAME line's description of a function."""
    body = split_comment(comment_lines(comment))[0]
    return (first_sentence(body) if body else "") or \
        name_summary(name, args, HEADER_AREA.get(header, "libbedrock"))


def function_page(header, name, ret, args, comment, version, date, known):
    area = HEADER_AREA.get(header, "libbedrock")
    lines = comment_lines(comment)
    body, params, retv = split_comment(lines)
    desc = summary(header, name, args, comment)
    out = th(name, version, date)
    out += [".SH NAME", "%s \\- %s" % (esc(name, code=True), esc(desc))]
    out += [".SH LIBRARY", "libbedrock (\\fI\\-lbedrock\\fR, \\fBpkg\\-config bedrock\\fR)"]
    out += [".SH SYNOPSIS", ".nf", ".B #include <bedrock/%s>" % header, ".PP"]
    for pl in prototype_lines(ret, name, args):
        pl = esc(pl, code=True).replace(esc(name, code=True) + "(", "\\fB%s\\fR(" % esc(name, code=True), 1)
        out.append(line_safe(pl) if not pl.startswith(" ") else "\\&" + pl)
    out += [".fi", ".SH DESCRIPTION"]
    if body:
        out += comment_body(body, known)[1:] if comment_body(body, known)[:1] == [".PP"] else comment_body(body, known)
    else:
        out.append("See")
        out.append(".BR %s (3)" % esc(area, code=True))
        out.append("for how this function fits with the rest of its interface.")
    if params:
        out.append(".PP")
        out.append("Parameters:")
        for pname, pdir, ptext in params:
            out += [".TP", "\\fI%s\\fR%s" % (esc(pname, code=True),
                                           " (%s)" % pdir if pdir in ("out", "in,out") else "")]
            out += [line_safe(c_inline(t, known)) for t in ptext if t.strip()] or ["\\&"]
    if retv:
        out += [".SH \"RETURN VALUE\""] + [line_safe(c_inline(t, known)) for t in retv if t.strip()]
    text = " ".join(lines)
    refs = []
    for r in re.findall(r"\b(bedrock_\w+)\(\)", text):
        if r in known and r != name and r + "(3)" not in refs:
            refs.append(r + "(3)")
    refs += [area + "(3)"] + (["libbedrock(3)"] if area != "libbedrock" else [])
    out += see_also(refs)
    return out


def write(path, lines):
    # A paragraph break next to a heading, another break or the end is
    # noise (mandoc -Tlint says so).
    clean = []
    for ln in lines:
        if ln == ".PP" and clean and clean[-1].startswith((".SH", ".SS", ".PP", ".TH", ".nh", ".ad")):
            continue
        if ln.startswith((".SH", ".SS", ".PP")) and clean and clean[-1] == ".PP":
            clean.pop()
        clean.append(ln)
    while clean and clean[-1] == ".PP":
        clean.pop()
    lines = clean
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list-functions")
    ap.add_argument("--include")
    ap.add_argument("--docs")
    ap.add_argument("--version")
    ap.add_argument("--date")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.list_functions:
        for f in parse_headers(a.list_functions):
            print(f[1])
        return 0
    funcs = parse_headers(a.include)
    known = {f[1] for f in funcs}
    dup = [n for n in known if sum(1 for f in funcs if f[1] == n) > 1]
    if dup:
        print("mkman: declared twice: " + " ".join(sorted(dup)), file=sys.stderr)
        return 1
    clash = known & (set(AREAS) | {"libbedrock"})
    if clash:
        print("mkman: a function has an area page's name: " + " ".join(clash), file=sys.stderr)
        return 1
    man3 = os.path.join(a.out, "man3")
    if os.path.isdir(man3):
        shutil.rmtree(man3)
    os.makedirs(man3)
    by_area = {}
    summaries = {f[1]: summary(f[0], f[1], f[3], f[4]) for f in funcs}
    for h, name, ret, args, comment in funcs:
        by_area.setdefault(HEADER_AREA.get(h, "libbedrock"), []).append(name)
        write(os.path.join(man3, name + ".3"),
              function_page(h, name, ret, args, comment, a.version, a.date, known))
    for area in AREAS:
        write(os.path.join(man3, area + ".3"),
              area_page(area, a.docs, a.include, a.version, a.date, by_area, summaries))
    write(os.path.join(a.out, "functions.txt"), sorted(known))
    return 0


if __name__ == "__main__":
    sys.exit(main())
