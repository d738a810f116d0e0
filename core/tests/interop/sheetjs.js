// SheetJS (npm `xlsx`, the library TikMatrix uses) for the accounts.xlsx interop tests.
//
//   node sheetjs.js write OUT.xlsx SHEET < rows.json   rows: array of objects, numbers stay numbers
//   node sheetjs.js read IN.xlsx                       prints {sheets, header, rows: [[{t, v}]]}
'use strict';
const fs = require('fs');
const XLSX = require('xlsx');

const [cmd, file, sheetName] = process.argv.slice(2);
if (cmd === 'write') {
  const rows = JSON.parse(fs.readFileSync(0, 'utf8'));
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.json_to_sheet(rows), sheetName || 'Sheet1');
  XLSX.writeFile(wb, file);
} else if (cmd === 'read') {
  const wb = XLSX.readFile(file);
  const ws = wb.Sheets[sheetName || wb.SheetNames[0]];
  const range = XLSX.utils.decode_range(ws['!ref']);
  const grid = [];
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row = [];
    for (let c = range.s.c; c <= range.e.c; c++) {
      const cell = ws[XLSX.utils.encode_cell({ r, c })];
      row.push(cell ? { t: cell.t, v: cell.v, f: cell.f || null } : null);
    }
    grid.push(row);
  }
  process.stdout.write(JSON.stringify({ sheets: wb.SheetNames, rows: grid }));
} else {
  console.error('usage: sheetjs.js write OUT SHEET < rows.json | read IN [SHEET]');
  process.exit(2);
}
