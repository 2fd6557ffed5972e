"""Checks kaohe forms in LibreOffice (headless, over UNO): types values into each form's first
sheet, asks LibreOffice which cells its data validation finds invalid (Tools ▸ Detective ▸
Mark Invalid Data: a circle per invalid cell), and saves the workbook again as XLSX.

    python3 validate.py JOBS.json

JOBS.json: [{"form": PATH, "resaved": PATH, "entries": {"E4": "六次", …}}, …]. A value that
parses as a number is entered as a number, any other as text. Prints JSON, one result per job:
[{"invalid": [cells circled], "validation": {cell: LibreOffice's validation type}}, …].
Run by tests/template.rs when `soffice` and Python's `uno` module are installed; one
LibreOffice serves every job.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def check(desktop, job):
    """One form: its entries typed in, the invalid ones found, the workbook saved again."""
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(job["form"])), "_blank", 0, (prop("Hidden", True),)
    )
    sheet = doc.Sheets.getByIndex(0)
    entries = job["entries"]
    types = {}
    for name, value in entries.items():
        cell = sheet.getCellRangeByName(name)
        try:
            cell.setValue(float(value))
        except ValueError:
            cell.setString(value)
        types[name] = cell.Validation.Type.value
    sheet.showInvalid()
    invalid = []
    page = sheet.DrawPage
    for i in range(page.Count):
        shape = page.getByIndex(i)
        if shape.ShapeType != "com.sun.star.drawing.EllipseShape":
            continue
        cx = shape.Position.X + shape.Size.Width / 2
        cy = shape.Position.Y + shape.Size.Height / 2
        for name in entries:
            c = sheet.getCellRangeByName(name)
            if (c.Position.X <= cx <= c.Position.X + c.Size.Width
                    and c.Position.Y <= cy <= c.Position.Y + c.Size.Height):
                invalid.append(name)
    doc.storeToURL(
        uno.systemPathToFileUrl(os.path.abspath(job["resaved"])),
        (prop("FilterName", "Calc MS Excel 2007 XML"),),
    )
    doc.close(True)
    return {"invalid": sorted(invalid), "validation": types}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    pipe = "kaohe_%d" % os.getpid()
    profile = tempfile.mkdtemp(prefix="kaohe-lo-")
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
            "--accept=pipe,name=%s;urp;" % pipe,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = None
        for _ in range(300):
            try:
                ctx = resolver.resolve(
                    "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe
                )
                break
            except Exception:
                time.sleep(0.2)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )
        results = [check(desktop, job) for job in jobs]
        try:
            desktop.terminate()
        except Exception:
            pass
        print(json.dumps(results, ensure_ascii=False))
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
