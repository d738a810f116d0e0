//! A small text table printer: left-aligned columns sized to their widest cell.

use std::fmt;

/// Rows of cells under a header, printed as aligned columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles and no rows.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells print empty, extra cells are dropped.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        cells.resize(self.header.len(), String::new());
        self.rows.push(cells);
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        widths
    }
}

/// Display width of a cell, in characters.
fn width(cell: &str) -> usize {
    cell.chars().count()
}

fn write_line(f: &mut fmt::Formatter<'_>, cells: &[String], widths: &[usize]) -> fmt::Result {
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        let cell: String = cell
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        line.push_str(&cell);
        if i + 1 < cells.len() {
            line.extend(std::iter::repeat_n(' ', w - width(&cell) + 2));
        }
    }
    writeln!(f, "{}", line.trim_end())
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        write_line(f, &self.header, &widths)?;
        for row in &self.rows {
            write_line(f, row, &widths)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_under_the_widest_cell() {
        let mut table = Table::new(["ID", "USERNAME", "STATUS"]);
        table.row(["1", "alice", "enabled"]);
        table.row(["12", "bob_the_builder", "disabled"]);
        assert_eq!(
            table.to_string(),
            "ID  USERNAME         STATUS\n\
             1   alice            enabled\n\
             12  bob_the_builder  disabled\n"
        );
    }

    #[test]
    fn short_rows_are_padded_and_control_characters_cannot_break_lines() {
        let mut table = Table::new(["A", "B"]);
        table.row(["x\ny"]);
        assert_eq!(table.to_string(), "A    B\nx?y\n");
        assert!(!table.is_empty());
        assert!(Table::new(["A"]).is_empty());
    }

    #[test]
    fn non_ascii_cells_count_characters_not_bytes() {
        let mut table = Table::new(["NAME", "N"]);
        table.row(["ünïcødé", "1"]);
        assert_eq!(table.to_string(), "NAME     N\nünïcødé  1\n");
    }
}
