"""openpyxl (and friends) for the accounts.xlsx interop and bad-input tests.

    python openpyxl_tool.py write OUT.xlsx < spec.json
        spec: {"sheets": [{"name": str, "rows": [[cell, ...], ...]}]}
        cell: null | str | number | bool | {"formula": "=..."} | {"date": "YYYY-MM-DD"}
              | {"error": "#N/A"}
    python openpyxl_tool.py read IN.xlsx [SHEET]   prints {"sheets", "rows": [[{"t", "v"}]]}
    python openpyxl_tool.py edit IN.xlsx OUT.xlsx < edits.json
        edits: [{"username": str, "column": str, "value": cell}] (row found by username)
        | [{"append": [cell, ...]}]
    python openpyxl_tool.py encrypt IN.xlsx OUT.xlsx PASSWORD   (msoffcrypto-tool)
    python openpyxl_tool.py nosheets OUT.xlsx   a workbook part list with no sheet
    python openpyxl_tool.py notxlsx OUT.xlsx    a zip archive that is not a workbook
"""
import datetime
import json
import sys
import zipfile

import openpyxl


def cell_value(spec):
    if isinstance(spec, dict):
        if "formula" in spec:
            return spec["formula"]
        if "date" in spec:
            return datetime.datetime.fromisoformat(spec["date"])
        if "error" in spec:
            return spec["error"]
        raise SystemExit(f"unknown cell spec {spec!r}")
    return spec


def write(out):
    spec = json.load(sys.stdin)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in spec["sheets"]:
        ws = wb.create_sheet(sheet["name"])
        for r, row in enumerate(sheet["rows"], start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=cell_value(value))
    wb.save(out)


def read(path, sheet=None):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = []
    for row in ws.iter_rows():
        out = []
        for cell in row:
            value = cell.value
            if isinstance(value, (datetime.date, datetime.datetime)):
                value = value.isoformat()
            out.append(None if value is None else {"t": cell.data_type, "v": value})
        rows.append(out)
    print(json.dumps({"sheets": wb.sheetnames, "rows": rows}))


def edit(src, out):
    edits = json.load(sys.stdin)
    wb = openpyxl.load_workbook(src)
    ws = wb["accounts"]
    header = [c.value for c in ws[1]]
    for e in edits:
        if "append" in e:
            ws.append([cell_value(v) for v in e["append"]])
            continue
        col = header.index(e["column"]) + 1
        ucol = header.index("username") + 1
        for r in range(2, ws.max_row + 1):
            if ws.cell(row=r, column=ucol).value == e["username"]:
                ws.cell(row=r, column=col).value = cell_value(e["value"])
                break
        else:
            raise SystemExit(f"no row for {e['username']}")
    wb.save(out)


def encrypt(src, out, password):
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as f, open(out, "wb") as o:
        OOXMLFile(f).encrypt(password, o)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets/></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
)


def nosheets(out):
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)


def notxlsx(out):
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "accounts are not in here\n")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"write": write, "read": read, "edit": edit, "encrypt": encrypt,
     "nosheets": nosheets, "notxlsx": notxlsx}[cmd](*args)
