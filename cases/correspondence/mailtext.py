"""The readable text of an incoming email: HTML turned into text, the quoted history
cut off (in the languages mail-parser-reply knows), and automatic replies recognised.

Plain Python on `email.message.EmailMessage` objects and strings; no database.
"""

from __future__ import annotations

import re

from inscriptis import get_text
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

# Every language mail-parser-reply has "wrote:" headers for (English among them).
QUOTE_PARSER = EmailReplyParser(languages=sorted(MAIL_LANGUAGES))
# "wrote:" headers the library misses, as Gmail, Apple Mail and Thunderbird write them:
# English, Spanish ("El … escribió:"), Portuguese ("Em … escreveu:"), Dutch ("Op … schreef …:").
WROTE = re.compile(
    r"^\s*(?:On\s.+\swrote|El\s.+\sescribi[óo]|Em\s.+\sescreveu|Op\s.+\sschreef.*?)\s*:\s*$"
)
AUTO_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: styles and scripts dropped, entities decoded,
    paragraphs and line breaks kept."""
    if not html or not html.strip():
        return ""
    text = get_text(html)
    lines = [line.rstrip() for line in text.replace("\xa0", " ").split("\n")]
    # Runs of empty lines (table layouts, empty paragraphs) collapse to one.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(body: str) -> str:
    """The reply above the quoted history: a "wrote:" header in any language
    mail-parser-reply knows ("On … wrote:", "Am … schrieb …:", "Le … a écrit :", an
    Outlook "From:/Sent:" block), "-----Original Message" and "> " lines. The whole
    text when nothing would be left."""
    text = body.replace("\r\n", "\n")
    try:
        reply = QUOTE_PARSER.read(text).replies
    except Exception:  # a parser failure costs the stripping, never the mail
        reply = []
    if reply and reply[0].full_body.strip():
        text = reply[0].full_body
    kept = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        # Gmail wraps a long header over two lines: "El lun, 1 dic 2026 a las 10:00,"
        # then "Support (<s@x.example>) escribió:".
        two = f"{line} {lines[number + 1]}" if number + 1 < len(lines) else line
        if WROTE.match(line) or WROTE.match(two) or line.startswith("-----Original Message"):
            break
        if line.startswith(">"):
            continue
        kept.append(line)
    stripped = "\n".join(kept).strip()
    return stripped or body.strip()


def auto_reply_reason(msg) -> str:
    """Why the mail is an automatic reply (the header that says so), or "" when a
    person wrote it. RFC 3834 Auto-Submitted other than "no", X-Autoreply,
    X-Autorespond, Precedence bulk/auto_reply/list/junk, X-Auto-Response-Suppress."""

    def header(name: str) -> str:
        try:
            return str(msg.get(name, "") or "").strip()
        except Exception:  # an unreadable header says nothing
            return ""

    submitted = header("Auto-Submitted")
    if submitted and submitted.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = header(name)
        if value:
            return f"{name}: {value}"
    precedence = header("Precedence")
    if precedence.lower() in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    return ""
