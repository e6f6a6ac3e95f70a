"""The certificate as a PDF: Letter landscape, drawn from the snapshot alone.

Everything printed comes from the certificate's snapshot, so a certificate rendered years
later says exactly what it said when issued. The built-in PDF fonts (Times, Helvetica)
keep rendering near 10 ms; names outside Latin-1 switch to embedded DejaVu fonts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M

PAGE_WIDTH, PAGE_HEIGHT = 792.0, 612.0  # US Letter, landscape, in points
BRAND = (31, 95, 91)
BRAND_DARK = (23, 71, 68)
ACCENT = (196, 140, 64)
INK = (33, 37, 41)
MUTED = (95, 99, 104)
RULE = (210, 214, 218)
TINT = (244, 248, 247)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# Parsing a TrueType font costs ~0.2 s, so the Unicode path embeds just two.
UNICODE_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _latin1(snapshot: dict[str, Any]) -> bool:
    try:
        for text in _strings(snapshot):
            text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.strftime('%B')} {day.day}, {day.year}"


class CertificateDocument(FPDF):
    def __init__(self, unicode: bool):
        super().__init__(orientation="L", unit="pt", format="letter")
        self.set_auto_page_break(False)
        self.set_margin(0)
        self.c_margin = 4
        self.unicode = unicode and all((DEJAVU / f).exists() for f in UNICODE_FONTS.values())
        if self.unicode:
            for style, filename in UNICODE_FONTS.items():
                self.add_font("dejavu", style, str(DEJAVU / filename))

    def font(self, family: str, style: str = "", size: float = 10, color=INK) -> None:
        if self.unicode:
            name, style = "dejavu", style.replace("I", "")
        else:
            name = "Times" if family == "serif" else "Helvetica"
        self.set_font(name, style, size)
        self.set_text_color(*color)

    def centred(self, y: float, text: str, height: float, width: float = 640) -> None:
        self.set_xy((PAGE_WIDTH - width) / 2, y)
        self.cell(width, height, self.fit(text, width), align="C")

    def fit(self, text: str, width: float) -> str:
        """Shorten text that would overflow its box (long titles are rare, but happen)."""
        if self.get_string_width(text) <= width - 2 * self.c_margin:
            return text
        while text and self.get_string_width(text + "...") > width - 2 * self.c_margin:
            text = text[:-1]
        return text.rstrip() + "..."


def _border(pdf: CertificateDocument) -> None:
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(6)
    pdf.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.rect(29, 29, PAGE_WIDTH - 58, PAGE_HEIGHT - 58)
    # Small corner marks in the accent colour.
    pdf.set_fill_color(*ACCENT)
    for x, y in (
        (29, 29),
        (PAGE_WIDTH - 29, 29),
        (29, PAGE_HEIGHT - 29),
        (PAGE_WIDTH - 29, PAGE_HEIGHT - 29),
    ):
        pdf.rect(x - 3.5, y - 3.5, 7, 7, style="F")


def _header(pdf: CertificateDocument, snapshot: dict[str, Any], logo: bytes | None) -> None:
    provider = snapshot["provider"]
    if logo:
        pdf.image(io.BytesIO(logo), x=48, y=44, w=58, h=58, keep_aspect_ratio=True)
    pdf.font("sans", "B", 12.5, BRAND_DARK)
    pdf.centred(46, provider["name"].upper(), 16)
    pdf.font("sans", "", 8.5, MUTED)
    address = " \u00b7 ".join(
        line.strip() for line in provider["address"].splitlines() if line.strip()
    )
    pdf.centred(63, address.replace("\u00b7", "-") if not pdf.unicode else address, 11)
    numbers = [
        f"{item['label']} {item['number']}" for item in provider["numbers"] if item["number"]
    ]
    pdf.centred(75, "   |   ".join(numbers), 11)


def _qr(pdf: CertificateDocument, url: str, x: float, y: float, size: float) -> None:
    # A fixed mask pattern: choosing the "best" of eight costs more than the whole page.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    # One filled path of rectangles (a run of dark modules each), written as raw PDF
    # operators: thousands of separate rect() calls would double the rendering time.
    operators = []
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                top = y + row_index * module
                operators.append(
                    f"{x + start * module:.3f} {PAGE_HEIGHT - top - module - 0.04:.3f} "
                    f"{(column - start) * module + 0.04:.3f} {module + 0.04:.3f} re"
                )
            else:
                column += 1
    pdf.set_fill_color(0, 0, 0)
    pdf._out("\n".join([*operators, "f"]))  # noqa: SLF001  (fpdf2 has no public path-batch API)


def _credits_table(pdf: CertificateDocument, credits: list[dict[str, Any]], y: float) -> float:
    columns = [
        ("Credit", 170),
        ("Hours", 60),
        ("Category", 130),
        ("Course no.", 110),
        ("Provider no.", 110),
    ]
    width = sum(w for _, w in columns)
    x0 = (PAGE_WIDTH - width) / 2
    pdf.set_fill_color(*BRAND)
    pdf.font("sans", "B", 8, (255, 255, 255))
    pdf.set_xy(x0, y)
    for title, w in columns:
        pdf.cell(w, 15, title, align="L" if title != "Hours" else "C", fill=True)
    y += 15
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.5)
    for index, item in enumerate(credits):
        pdf.set_xy(x0, y)
        pdf.set_fill_color(*(TINT if index % 2 == 0 else (255, 255, 255)))
        values = [
            item["label"],
            f"{item['hours']:.1f}",
            item["category"],
            item["course_number"],
            item["provider_number"],
        ]
        for (title, w), value in zip(columns, values, strict=True):
            pdf.font("sans", "B" if title in ("Credit", "Hours") else "", 8.5)
            pdf.cell(w, 15, pdf.fit(value, w), align="C" if title == "Hours" else "L", fill=True)
        y += 15
        pdf.line(x0, y, x0 + width, y)
    return y


def _footer(pdf: CertificateDocument, snapshot: dict[str, Any], signature: bytes | None) -> None:
    signatory = snapshot["signatory"]
    line_y = 528
    if signature:
        pdf.image(io.BytesIO(signature), x=70, y=line_y - 46, w=170, h=42, keep_aspect_ratio=True)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.6)
    pdf.line(62, line_y, 262, line_y)
    pdf.set_xy(62, line_y + 3)
    pdf.font("sans", "B", 9.5)
    pdf.cell(200, 12, pdf.fit(signatory["name"], 200))
    pdf.set_xy(62, line_y + 15)
    pdf.font("sans", "", 8.5, MUTED)
    pdf.cell(200, 11, pdf.fit(signatory["title"] or "Authorised signatory", 200))
    pdf.set_xy(62, line_y + 26)
    pdf.cell(200, 11, f"Issued {long_date(snapshot['issue_date'])}")

    # Seal in the middle: two rings and the credit in hours.
    cx, cy = PAGE_WIDTH / 2, 512
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.6)
    pdf.circle(cx, cy, 34)
    pdf.set_line_width(0.5)
    pdf.circle(cx, cy, 29)
    pdf.font("serif", "B", 15, BRAND_DARK)
    pdf.set_xy(cx - 30, cy - 13)
    pdf.cell(60, 16, f"{snapshot['course']['minutes'] / 60:.1f}".rstrip("0").rstrip("."), align="C")
    pdf.font("sans", "B", 6, BRAND_DARK)
    pdf.set_xy(cx - 30, cy + 3)
    pdf.cell(60, 8, "CONTACT HOURS", align="C")

    # Verification block: QR code with the address and certificate number beside it.
    qr_size = 74
    qr_x, qr_y = PAGE_WIDTH - 62 - qr_size, 474
    _qr(pdf, snapshot["verification_url"], qr_x, qr_y, qr_size)
    text_right = qr_x - 8
    pdf.font("sans", "B", 8.5, BRAND_DARK)
    pdf.set_xy(text_right - 220, qr_y + 6)
    pdf.cell(220, 11, "Certificate number", align="R")
    pdf.font("sans", "B", 11, INK)
    pdf.set_xy(text_right - 220, qr_y + 18)
    pdf.cell(220, 14, snapshot["number"], align="R")
    pdf.font("sans", "", 7.5, MUTED)
    pdf.set_xy(text_right - 220, qr_y + 38)
    pdf.cell(220, 10, "Verify this certificate at", align="R")
    pdf.font("sans", "", 7.5, INK)
    pdf.set_xy(text_right - 260, qr_y + 49)
    pdf.cell(260, 10, pdf.fit(snapshot["verification_url"], 260), align="R")
    pdf.font("sans", "I", 6.5, MUTED)
    pdf.set_xy(text_right - 260, qr_y + 62)
    pdf.cell(
        260, 9, "Digitally signed by the provider; the signature can be checked offline.", align="R"
    )


def render_certificate(
    snapshot: dict[str, Any], logo: bytes | None = None, signature: bytes | None = None
) -> bytes:
    """The unsigned PDF of a certificate."""
    pdf = CertificateDocument(unicode=not _latin1(snapshot))
    learner, course = snapshot["learner"], snapshot["course"]
    pdf.set_title(f"CE certificate {snapshot['number']}")
    pdf.set_author(snapshot["provider"]["name"])
    pdf.set_subject(course["title"])
    pdf.set_creator("Meridian CE platform")
    pdf.add_page()
    _border(pdf)
    _header(pdf, snapshot, logo)

    pdf.font("serif", "B", 30, BRAND)
    pdf.centred(104, "Certificate of Completion", 36)
    pdf.font("serif", "I", 11.5, MUTED)
    pdf.centred(142, "Continuing Education for Licensed Acupuncturists", 14)

    pdf.font("sans", "", 10, MUTED)
    pdf.centred(174, "This certifies that", 12)
    pdf.font("serif", "BI", 27, INK)
    pdf.centred(190, learner["legal_name"], 34)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(PAGE_WIDTH / 2 - 170, 228, PAGE_WIDTH / 2 + 170, 228)
    identifiers = [f"{item['state']} licence {item['number']}" for item in learner["licences"]]
    if learner.get("nccaom_id"):
        identifiers.append(f"NCCAOM ID {learner['nccaom_id']}")
    pdf.font("sans", "", 9.5, INK)
    pdf.centred(234, "   |   ".join(identifiers) or "No licence on file", 12)

    pdf.font("sans", "", 10, MUTED)
    pdf.centred(260, "has successfully completed the course", 12)
    pdf.font("serif", "B", 16, BRAND_DARK)
    pdf.set_xy(96, 277)
    title = course["title"]
    pdf.multi_cell(600, 19, title, align="C", max_line_height=19)
    y = max(pdf.get_y(), 296) + 4
    details = [
        f"Course code {course['code']}",
        course["format_label"],
        f"{course['minutes']} contact minutes",
        f"Completed {long_date(snapshot['completion_date'])}",
    ]
    pdf.font("sans", "", 9.5, INK)
    pdf.centred(y, "   |   ".join(details), 12)
    instructors = snapshot["instructors"]
    if instructors:
        label = "Instructor" if len(instructors) == 1 else "Instructors"
        pdf.font("sans", "I", 9, MUTED)
        pdf.centred(y + 14, f"{label}: " + "; ".join(instructors), 12)
    _credits_table(pdf, snapshot["credits"], y + 40)
    _footer(pdf, snapshot, signature)
    return bytes(pdf.output())


def render_transcript(
    learner_name: str,
    provider_name: str,
    entries: list,
    totals: dict,
    start: date,
    end: date,
) -> bytes:
    """The learner's transcript (Letter portrait): certificates and period totals."""
    texts = [learner_name, provider_name] + [e.course_title for e in entries]
    pdf = FPDF(orientation="P", unit="pt", format="letter")
    unicode = not _latin1({"t": texts}) and all(
        (DEJAVU / f).exists() for f in UNICODE_FONTS.values()
    )
    if unicode:
        for style, filename in UNICODE_FONTS.items():
            pdf.add_font("dejavu", style, str(DEJAVU / filename))
    family = "dejavu" if unicode else "Helvetica"
    pdf.set_margins(48, 48, 48)
    pdf.set_auto_page_break(True, 48)
    pdf.set_title("CE transcript")
    pdf.add_page()
    pdf.set_text_color(*BRAND)
    pdf.set_font(family, "B", 18)
    pdf.cell(0, 24, "Continuing Education Transcript", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(family, "", 10)
    pdf.cell(0, 14, f"{learner_name} - {provider_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 14, f"Period: {start.isoformat()} to {end.isoformat()}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)
    pdf.set_font(family, "B", 11)
    pdf.cell(
        0, 16, "Totals (valid certificates completed in the period)", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(family, "", 9.5)
    for total in totals.values():
        categories = ", ".join(f"{k} {v:.1f}" for k, v in sorted(total.by_category.items()))
        line = f"{total.label}: {total.counted:.1f} of {total.required:.0f} h counted"
        pdf.multi_cell(
            0, 13, line + (f" ({categories})" if categories else ""), new_x="LMARGIN", new_y="NEXT"
        )
        for flag in total.flags:
            pdf.set_text_color(*ACCENT)
            pdf.multi_cell(0, 12, f"   ! {flag}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
    pdf.ln(8)
    pdf.set_font(family, "B", 11)
    pdf.cell(0, 16, "Certificates", new_x="LMARGIN", new_y="NEXT")
    widths = (110, 200, 64, 142)
    pdf.set_fill_color(*BRAND)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(family, "B", 8.5)
    for title, w in zip(("Number", "Course", "Completed", "Credit"), widths, strict=True):
        pdf.cell(w, 15, title, fill=True)
    pdf.ln(15)
    pdf.set_text_color(*INK)
    pdf.set_font(family, "", 8.5)
    for entry in entries:
        credit = "; ".join(f"{c.label} {c.hours:.1f} {c.category}" for c in entry.credits)
        status = "" if entry.status.value == "valid" else f" [{entry.status.value}]"
        row = (
            entry.number + status,
            f"{entry.course_code} {entry.course_title}",
            entry.completed_on.isoformat(),
            credit,
        )
        with pdf.table(
            col_widths=widths,
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
            line_height=11,
            text_align="LEFT",
        ) as table:
            table.row(row)
    if not entries:
        pdf.cell(0, 14, "No certificates yet.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
