//! A minimal HTTP/1.1 client over one keep-alive TCP connection: writes pre-built
//! request bytes and reads one `Content-Length`-framed answer. Lean on purpose, so that
//! the generator spends its CPU on the wire, not in a client stack.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// One answer: status and body (borrowed from the connection's buffer until the next call).
pub struct Answer<'a> {
    pub status: u16,
    pub body: &'a [u8],
}

impl Answer<'_> {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.body).into_owned()
    }
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `request` (a complete HTTP/1.1 request) and reads the answer.
    pub async fn roundtrip(&mut self, request: &[u8]) -> anyhow::Result<Answer<'_>> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let (head_len, status, content_length) = loop {
            if let Some(parsed) = parse_head(&self.buf)? {
                break parsed;
            }
            self.fill().await?;
        };
        let total = head_len + content_length;
        while self.buf.len() < total {
            self.fill().await?;
        }
        let body = self.buf.get(head_len..total).unwrap_or_default();
        Ok(Answer { status, body })
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        self.buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        Ok(())
    }
}

/// `(head length, status, content length)` once the head is complete.
fn parse_head(buf: &[u8]) -> anyhow::Result<Option<(usize, u16, usize)>> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head =
        std::str::from_utf8(buf.get(..end).unwrap_or_default()).context("response head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line {status_line:?}"))?;
    let mut content_length = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                bail!("chunked answers are not supported by this client");
            }
        }
    }
    let content_length = content_length.context("answer without Content-Length")?;
    Ok(Some((end + 4, status, content_length)))
}

/// A plain GET (for `/healthz`).
pub fn get(host: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: {host}\r\n\r\n").into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_a_head() {
        let buf = b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(parse_head(buf).unwrap(), Some((buf.len() - 5, 200, 5)));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
    }
}
