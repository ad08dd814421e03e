"""Make the README's pictures from the demo book: LibreOffice headless -> PDF -> PNG, one per sheet.

    python tools/screenshots.py [--out docs/img] [--demo DIR]

Runs `arbook demo` into a temporary folder (or uses --demo DIR), then for each sheet below hides
every other sheet, prints the book to PDF with LibreOffice and turns the first page into a PNG with
pdftoppm, cropped to the words on it (pdftotext -bbox). The pictures therefore always show what the code really writes.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: (sheet, picture name): the sheets an accountant looks at during the month-end.
SHEETS = (("Customers", "customers"), ("Invoices", "invoices"), ("Bank", "bank"), ("Review", "review"),
          ("Aging", "aging"), ("Dashboard", "dashboard"))


def only_sheet(book: Path, sheet: str, out: Path) -> Path:
    """A copy of ``book`` in which every sheet but ``sheet`` is hidden (and ``sheet`` is the active one)."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = re.findall(r'<sheet\b[^>]*\bname="([^"]+)"', text)
                if sheet not in names:
                    raise SystemExit(f"{book}: no sheet {sheet}")

                def mark(match: re.Match[str]) -> str:
                    tag = re.sub(r'\sstate="[^"]*"', "", match.group(0))
                    hidden = match.group(1) != sheet
                    return tag.replace("<sheet ", '<sheet state="hidden" ', 1) if hidden else tag

                text = re.sub(r'<sheet\b[^>]*\bname="([^"]+)"[^>]*/>', mark, text)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{names.index(sheet)}"', text)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return out


def to_png(book: Path, work: Path, out: Path) -> Path:
    """First page of ``book`` printed by LibreOffice, as ``out`` (PNG, 110 dpi)."""
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to", "pdf",
                    "--outdir", str(work), str(book)], check=True, capture_output=True, timeout=180)
    pdf = work / (book.stem + ".pdf")
    dpi = 160
    x0, y0, x1, y1 = text_box(pdf)
    crop = [str(round(v * dpi / 72)) for v in (x0 - 12, y0 - 12, x1 - x0 + 24, y1 - y0 + 24)]
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    "-x", crop[0], "-y", crop[1], "-W", crop[2], "-H", crop[3], str(pdf), str(out.with_suffix(""))],
                   check=True, timeout=60)
    return out


def text_box(pdf: Path) -> tuple[float, float, float, float]:
    """The box (points) around the first page's words, page header and footer left out."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    page_height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    boxes = [tuple(float(v) for v in m) for m in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html)]
    body = [b for b in boxes if page_height * 0.08 < b[1] < page_height * 0.92] or boxes
    return (min(b[0] for b in body), min(b[1] for b in body), max(b[2] for b in body), max(b[3] for b in body))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--demo", type=Path, help="an existing `arbook demo` folder (default: run the demo)")
    parser.add_argument("--sheet", action="append", choices=[name for _, name in SHEETS],
                        help="only this picture (repeatable; default: all)")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if not shutil.which(tool):
            print(f"screenshots: {tool} not found (apt-get install libreoffice-calc-nogui poppler-utils)",
                  file=sys.stderr)
            return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = args.demo
        if demo is None:
            demo = work / "demo"
            subprocess.run([sys.executable, "-m", "arbook", "demo", "--out", str(demo)], check=True,
                           capture_output=True)
        for sheet, name in SHEETS:
            if args.sheet and name not in args.sheet:
                continue
            single = only_sheet(demo / "book.xlsx", sheet, work / f"{name}.xlsx")
            print(to_png(single, work, args.out / f"{name}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
