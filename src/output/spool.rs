//! Texts written once and read back in any order: in memory up to
//! [`MEMORY_BYTES`], then in an unnamed temporary file, so that rendering
//! thousands of clusters holds a few bytes per object, not the output.

use std::io::{self, Read, Seek, SeekFrom, Write};

use tempfile::SpooledTempFile;

/// What a spool keeps in memory before it moves to a temporary file (one
/// default cluster is about 30 KB).
pub const MEMORY_BYTES: usize = 8 * 1024 * 1024;

/// Where one text lies in a [`Spool`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    offset: u64,
    len: u32,
}

/// Append-only texts, read back by [`Span`].
#[derive(Debug)]
pub struct Spool {
    file: SpooledTempFile,
    end: u64,
}

impl Default for Spool {
    fn default() -> Self {
        Spool { file: SpooledTempFile::new(MEMORY_BYTES), end: 0 }
    }
}

impl Spool {
    /// Appends a text and says where it lies.
    pub fn push(&mut self, text: &str) -> io::Result<Span> {
        let len = u32::try_from(text.len()).map_err(|_| io::Error::other("a text past 4 GiB"))?;
        self.file.seek(SeekFrom::Start(self.end))?;
        self.file.write_all(text.as_bytes())?;
        let span = Span { offset: self.end, len };
        self.end += u64::from(len);
        Ok(span)
    }

    /// The text at `span`.
    pub fn read(&mut self, span: Span) -> io::Result<String> {
        let mut bytes = vec![0; span.len as usize];
        self.file.seek(SeekFrom::Start(span.offset))?;
        self.file.read_exact(&mut bytes)?;
        // Only `push` writes, and it writes whole `str`s.
        String::from_utf8(bytes).map_err(io::Error::other)
    }

    /// Copies the text at `span` into `out`.
    pub fn copy_to(&mut self, span: Span, out: &mut dyn Write) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(span.offset))?;
        io::copy(&mut (&mut self.file).take(u64::from(span.len)), out)?;
        Ok(())
    }

    /// True once the texts have moved to a temporary file.
    pub fn is_on_disk(&self) -> bool {
        self.file.is_rolled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back_in_any_order_in_memory_and_on_disk() {
        let mut spool = Spool::default();
        let small = spool.push("---\nkind: A\n").unwrap();
        let big_text = "x".repeat(MEMORY_BYTES);
        assert!(!spool.is_on_disk());
        let big = spool.push(&big_text).unwrap();
        assert!(spool.is_on_disk(), "past the bound the texts go to a file");
        let last = spool.push("é\n").unwrap();
        assert_eq!(spool.read(last).unwrap(), "é\n");
        assert_eq!(spool.read(small).unwrap(), "---\nkind: A\n");
        assert_eq!(spool.read(big).unwrap().len(), MEMORY_BYTES);
        let mut out = Vec::new();
        spool.copy_to(small, &mut out).unwrap();
        spool.copy_to(last, &mut out).unwrap();
        assert_eq!(out, "---\nkind: A\né\n".as_bytes());
    }
}
