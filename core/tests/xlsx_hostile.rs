//! Hostile import files, each imported by a child process whose address space
//! is limited (`ulimit -v`): every one ends in its own clear error naming the
//! part, row or line, within the limit, and the workspace is left as it was.
//!
//! A plain `main` (`harness = false`): the test re-executes itself as the
//! importing child, told apart by the `FARMHAND_HOSTILE_FILE` environment variable.

use std::env;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use farmhand::store::AccountFilter;
use farmhand::xlsx::ImportOptions;
use farmhand::{NewAccount, Platform, Workspace};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// The child's address-space limit. Each bomb below would need more than this
/// if the reader held what the file claims or holds.
const LIMIT_MIB: u64 = 384;

/// Bytes of padding or filler in the bombs: more than the child may map.
const BOMB_BYTES: usize = 512 << 20;

fn main() -> ExitCode {
    match env::var_os("FARMHAND_HOSTILE_FILE") {
        Some(file) => child(Path::new(&file)),
        None => {
            parent();
            println!("test hostile_files_end_in_clear_errors_within_a_memory_limit ... ok");
            ExitCode::SUCCESS
        }
    }
}

/// Imports the file into the workspace named by the environment; prints
/// `refused: MESSAGE` or `imported: CREATED`.
fn child(file: &Path) -> ExitCode {
    let ws = Workspace::open(env::var_os("FARMHAND_HOSTILE_DB").unwrap()).unwrap();
    let mut options = ImportOptions::new(Platform::TikTok);
    if env::var_os("FARMHAND_HOSTILE_NO_ROW_LIMIT").is_some() {
        options = options.max_rows(usize::MAX);
    }
    let result = if file.extension().is_some_and(|e| e == "txt") {
        ws.import_legacy_text(file, &options)
    } else {
        ws.import_xlsx(file, &options)
    };
    match result {
        Ok(report) => println!("imported: {} ({report})", report.created),
        Err(e) => println!("refused: {:?}: {e}", e.kind()),
    }
    ExitCode::SUCCESS
}

/// What the child printed, importing `file` into the workspace at `db` under the limit.
fn import_limited(db: &Path, file: &Path, no_row_limit: bool) -> String {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\"", LIMIT_MIB << 10))
        .arg(env::current_exe().unwrap())
        .env("FARMHAND_HOSTILE_FILE", file)
        .env("FARMHAND_HOSTILE_DB", db)
        // One malloc arena: each extra one reserves 64 MiB of address space.
        .env("MALLOC_ARENA_MAX", "1");
    if no_row_limit {
        command.env("FARMHAND_HOSTILE_NO_ROW_LIMIT", "1");
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}: the child failed ({}): {stdout}{}",
        file.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Writes the bytes of one part.
type PartWriter<'a> = dyn Fn(&mut dyn Write) + 'a;

/// A minimal workbook at `path`: its one sheet's XML written by `sheet`, and
/// a shared-strings part written by `strings` when given.
fn workbook(path: &Path, sheet: impl FnOnce(&mut dyn Write), strings: Option<&PartWriter>) {
    let mut zip = ZipWriter::new(File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_level(Some(1));
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="accounts" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, xml) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
    }
    if let Some(strings) = strings {
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        strings(&mut zip);
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    sheet(&mut zip);
    zip.finish().unwrap();
}

/// Writes `bytes` repeated until `total` bytes are written.
fn repeat(out: &mut dyn Write, bytes: &[u8], total: usize) {
    let block = bytes.repeat((1 << 20) / bytes.len());
    let mut left = total;
    while left > 0 {
        let n = left.min(block.len());
        out.write_all(&block[..n]).unwrap();
        left -= n;
    }
}

const SHEET_START: &str = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>username</t></is></c><c r="B1" t="inlineStr"><is><t>notes</t></is></c></row>"#;

/// A sheet: the `dimension` claim, the header row, then `rows` as given.
fn sheet_xml(dimension: &str, rows: &str) -> String {
    format!(
        "{SHEET_START}<dimension ref=\"{dimension}\"/><sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>"
    )
}

fn user_row(row: u32, name: &str) -> String {
    format!("<row r=\"{row}\"><c r=\"A{row}\" t=\"inlineStr\"><is><t>{name}</t></is></c></row>")
}

struct Case {
    name: &'static str,
    make: fn(&Path),
    /// Text the child's report must contain.
    expect: &'static str,
    no_row_limit: bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "control.xlsx",
            make: |p| {
                let xml = sheet_xml("A1:B3", &(user_row(2, "fresh1") + &user_row(3, "fresh2")));
                workbook(p, |out| out.write_all(xml.as_bytes()).unwrap(), None);
            },
            expect: "imported: 2",
            no_row_limit: false,
        },
        Case {
            name: "whitespace_bomb.xlsx",
            make: |p| {
                workbook(
                    p,
                    |out| {
                        let head = format!("{SHEET_START}<sheetData>{HEADER_ROW}");
                        out.write_all(head.as_bytes()).unwrap();
                        repeat(out, b" ", BOMB_BYTES);
                        out.write_all(b"</sheetData></worksheet>").unwrap();
                    },
                    None,
                )
            },
            expect: "part xl/worksheets/sheet1.xml: row 1: more than 262144 bytes without markup",
            no_row_limit: false,
        },
        Case {
            name: "lying_dimension.xlsx",
            make: |p| {
                let xml = sheet_xml("A1:B4000000000", &user_row(2, "claimed"));
                workbook(p, |out| out.write_all(xml.as_bytes()).unwrap(), None);
            },
            // Not an error: the claim only sizes buffers, within what the file holds.
            expect: "imported: 1",
            no_row_limit: true,
        },
        Case {
            name: "huge_ignored_cell.xlsx",
            make: |p| {
                workbook(
                    p,
                    |out| {
                        let head = format!(
                            "{SHEET_START}<sheetData>{HEADER_ROW}<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>bob</t></is></c><c r=\"B2\" t=\"inlineStr\"><is><t>"
                        );
                        out.write_all(head.as_bytes()).unwrap();
                        repeat(out, b"notes ", BOMB_BYTES);
                        out.write_all(b"</t></is></c></row></sheetData></worksheet>")
                            .unwrap();
                    },
                    None,
                )
            },
            expect: "row 2: a cell or shared string takes more than 262144 bytes",
            no_row_limit: false,
        },
        Case {
            name: "shared_strings_claim.xlsx",
            make: |p| {
                let xml = sheet_xml(
                    "A1:B2",
                    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>",
                );
                workbook(
                    p,
                    |out| out.write_all(xml.as_bytes()).unwrap(),
                    Some(&|out: &mut dyn Write| {
                        out.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>"#).unwrap();
                    }),
                );
            },
            expect: "part xl/sharedStrings.xml: claims 4000000000 shared strings",
            no_row_limit: false,
        },
        Case {
            name: "shared_strings_bomb.xlsx",
            make: |p| {
                let xml = sheet_xml(
                    "A1:B2",
                    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>",
                );
                workbook(
                    p,
                    |out| out.write_all(xml.as_bytes()).unwrap(),
                    Some(&|out: &mut dyn Write| {
                        out.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#).unwrap();
                        repeat(out, b"<si><t/></si>", BOMB_BYTES);
                        out.write_all(b"</sst>").unwrap();
                    }),
                );
            },
            expect: "part xl/sharedStrings.xml: inflates to",
            no_row_limit: false,
        },
        Case {
            name: "most_shared_strings.xlsx",
            make: |p| strings_case(p, "limit_a", b"<si><t/></si>", 4_000_000 - 1),
            expect: "imported: 1",
            no_row_limit: false,
        },
        Case {
            name: "largest_shared_strings.xlsx",
            make: |p| {
                let filler = b"<si><t>abcdefghijklmnopqrstuvwx</t></si>";
                strings_case(p, "limit_b", filler, (128 << 20) / filler.len() - 8)
            },
            expect: "imported: 1",
            no_row_limit: false,
        },
        Case {
            name: "too_many_shared_strings.xlsx",
            make: |p| strings_case(p, "limit_c", b"<si><t/></si>", 4_000_000),
            expect: "part xl/sharedStrings.xml: holds more than 4000000 shared strings",
            no_row_limit: false,
        },
        Case {
            name: "duplicate_row.xlsx",
            make: |p| {
                let xml = sheet_xml("A1:B3", &(user_row(2, "first") + &user_row(2, "second")));
                workbook(p, |out| out.write_all(xml.as_bytes()).unwrap(), None);
            },
            expect: "row 2 is given twice",
            no_row_limit: false,
        },
        Case {
            name: "negative_index.xlsx",
            make: |p| index_case(p, "-1"),
            expect: "row 2: cell A2: a shared-string index that is not a number (-1)",
            no_row_limit: false,
        },
        Case {
            name: "index_past_table.xlsx",
            make: |p| index_case(p, "7"),
            expect: "row 2: cell A2: refers to shared string 7, but the table holds 1",
            no_row_limit: false,
        },
        Case {
            name: "long_line.txt",
            make: |p| {
                let mut out = std::io::BufWriter::new(File::create(p).unwrap());
                out.write_all(b"a@x.com##pw##alice##1\n##pw##").unwrap();
                repeat(&mut out, b"u", BOMB_BYTES);
                out.write_all(b"\n").unwrap();
            },
            expect: "line 2 is longer than 65536 bytes",
            no_row_limit: false,
        },
    ]
}

/// A sheet whose one data cell is the first shared string, `first`, of a table
/// that then holds `count` copies of `filler` (no `uniqueCount`: calamine
/// grows its table as it reads).
fn strings_case(path: &Path, first: &str, filler: &[u8], count: usize) {
    let xml = sheet_xml(
        "A1:B2",
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>",
    );
    workbook(
        path,
        |out| out.write_all(xml.as_bytes()).unwrap(),
        Some(&|out: &mut dyn Write| {
            let head = format!(
                "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>{first}</t></si>"
            );
            out.write_all(head.as_bytes()).unwrap();
            repeat(out, filler, count * filler.len());
            out.write_all(b"</sst>").unwrap();
        }),
    );
}

/// A sheet whose one data cell refers to shared string `index` of a one-string table.
fn index_case(path: &Path, index: &str) {
    let xml = sheet_xml(
        "A1:B2",
        &format!("<row r=\"2\"><c r=\"A2\" t=\"s\"><v>{index}</v></c></row>"),
    );
    workbook(
        path,
        |out| out.write_all(xml.as_bytes()).unwrap(),
        Some(&|out: &mut dyn Write| {
            out.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1"><si><t>only</t></si></sst>"#).unwrap();
        }),
    );
}

/// Adds a part with a name outside ASCII to the workbook at `path`.
fn add_unusual_part(path: &Path) {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut zip = ZipWriter::new_append(file).unwrap();
    zip.start_file("docProps/äpp.xml", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"<x/>").unwrap();
    zip.finish().unwrap();
}

/// Imports `file` in a limited child and checks what it said and that a
/// refusal wrote nothing. A file imported before imports its rows again as
/// duplicates: only that it was read is checked then.
fn check(ws: &Workspace, db: &Path, file: &Path, case: &Case, again: bool) {
    let before = ws.list(&AccountFilter::default()).unwrap();
    let said = import_limited(db, file, case.no_row_limit);
    println!("{}: {}", case.name, said.trim_end());
    if case.expect.starts_with("imported:") && again {
        assert!(said.starts_with("imported:"), "{}: {said}", case.name);
        return;
    }
    assert!(
        said.contains(case.expect),
        "{}: expected '{}', the child said: {said}",
        case.name,
        case.expect
    );
    if case.expect.starts_with("imported:") {
        return;
    }
    assert!(
        said.starts_with("refused: Import: "),
        "{}: {said}",
        case.name
    );
    assert_eq!(
        ws.list(&AccountFilter::default()).unwrap(),
        before,
        "{}: nothing is written",
        case.name
    );
}

fn parent() {
    let dir = tempfile::tempdir().unwrap();
    let db: PathBuf = dir.path().join("farm.db");
    let ws = Workspace::open(&db).unwrap();
    ws.add(NewAccount::new(Platform::TikTok, "alice").password("secret"))
        .unwrap();
    for case in cases() {
        let file = dir.path().join(case.name);
        (case.make)(&file);
        check(&ws, &db, &file, &case, false);
        if case.name.ends_with(".xlsx") {
            // The same file with a part the inflating view declines: calamine
            // then reads it directly, after the same checks.
            add_unusual_part(&file);
            check(&ws, &db, &file, &case, true);
        }
        std::fs::remove_file(&file).unwrap();
    }
}
