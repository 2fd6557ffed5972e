#!/usr/bin/env python3
"""Makes the binary files of the hostile corpus (tests/hostile.rs reads them):
  far-cell.xlsx  a valid sheet plus one stray cell at XFD1048576 (Excel's last cell)
  zip-bomb.xlsx  a sheet whose shared strings unpack to 600 MB from a ~600 KB file
  good.ods       a small valid OpenDocument sheet
  far-rows.ods   3,000 rows with a cell in the first and the last column (49 million cells read out)
  empty-rows.ods 6,000 self-closing rows between a first cell and one in the last column
Run from anywhere: python3 tests/hostile/make.py [NAME…] (the files are committed; rerun only to change them)."""
import os, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

def xlsx(name, sheet, shared=None):
    with zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        if shared is not None:
            rels += '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            z.writestr("xl/sharedStrings.xml", shared)
        z.writestr("xl/_rels/workbook.xml.rels", rels + "</Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + sheet + "</sheetData></worksheet>")

def row(r, cells):
    return f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in cells) + "</row>"

def ods(name, rows_xml):
    with zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">' + rows_xml + "</table:table></office:spreadsheet></office:body></office:document-content>")

def ods_cell(v):
    return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

def ods_row(cells):
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"

FILES = {
    "far-cell.xlsx": lambda: xlsx(
        "far-cell.xlsx",
        row(1, [("A", "编码"), ("B", "名称"), ("C", "失控人数")])
        + row(2, [("A", "101"), ("B", "甲镇"), ("C", "2")])
        + row(3, [("A", "102"), ("B", "乙镇"), ("C", "0")])
        + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "zip-bomb.xlsx": lambda: xlsx(
        "zip-bomb.xlsx", row(1, [("A", "编码")]),
        shared='<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        + "A" * (600 * 1024 * 1024) + "</t></si></sst>"),
    "good.ods": lambda: ods(
        "good.ods",
        ods_row([ods_cell("编码"), ods_cell("名称"), ods_cell("失控人数")])
        + ods_row([ods_cell("101"), ods_cell("甲镇"), ods_cell("2")])
        + ods_row([ods_cell("102"), ods_cell("乙镇"), ods_cell("0")])),
    # 3,000 rows, each with a cell in the first and the last column: 49 million cells (2.7 GB)
    # once the reader fills the gaps.
    "far-rows.ods": lambda: ods(
        "far-rows.ods",
        ods_row([ods_cell("编码")])
        + "".join(ods_row([ods_cell(i), '<table:table-cell table:number-columns-repeated="16382"/>', ods_cell("y")]) for i in range(3000))),
    # A self-closing row repeated 6,000 times between two cells, the second in the last column.
    "empty-rows.ods": lambda: ods(
        "empty-rows.ods",
        ods_row([ods_cell("编码")])
        + '<table:table-row table:number-rows-repeated="6000"/>'
        + ods_row(['<table:table-cell table:number-columns-repeated="16383"/>', '<table:table-cell office:value-type="float" office:value="1"/>'])),
}

# python3 tests/hostile/make.py [NAME…]: every file, or the ones named (zip entries carry the
# time they were written, so an unchanged file is best left alone).
for name in sys.argv[1:] or FILES:
    FILES[name]()
