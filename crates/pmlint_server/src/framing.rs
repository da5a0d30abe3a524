//! A guard in front of tower-lsp-server's reader.
//!
//! tower-lsp-server stops reading its input after the first message it cannot decode (a body
//! that is not JSON, not UTF-8, not a JSON-RPC object, or a header without `Content-Length`):
//! its framed reader ends the stream after an error, so one bad message would end the session.
//! [`Sanitizer`] re-frames the byte stream itself and passes on only messages that tower-lsp
//! will accept. Everything else becomes a `pmlint/invalidMessage` request with the offending
//! message's id (or `null`), which the server answers with the JSON-RPC error the sender should
//! have got (-32700 parse error / -32600 invalid request). The input keeps flowing.

use serde::Deserialize;
use std::borrow::Cow;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tower_lsp_server::jsonrpc::Id;

/// The method of the synthetic request that stands in for an invalid message.
pub(crate) const INVALID_MESSAGE: &str = "pmlint/invalidMessage";

/// Bodies larger than this are skipped (and answered with an error) instead of buffered.
const MAX_BODY: usize = 512 << 20;
/// Headers longer than this are garbage.
const MAX_HEADER: usize = 8 << 10;
const READ_CHUNK: usize = 64 << 10;

pub(crate) struct Sanitizer<R> {
    inner: R,
    /// Raw input; `buf[pos..end]` is unread.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Bytes ready for the reader; `out[out_pos..]` is unread.
    out: Vec<u8>,
    out_pos: usize,
    /// Bytes of an oversized body still to discard.
    skip: usize,
    eof: bool,
}

impl<R> Sanitizer<R> {
    pub(crate) fn new(inner: R) -> Self {
        Sanitizer {
            inner,
            buf: vec![0; READ_CHUNK],
            pos: 0,
            end: 0,
            out: Vec::new(),
            out_pos: 0,
            skip: 0,
            eof: false,
        }
    }

    /// Tries to turn the start of the unread input into one outgoing frame.
    fn next_frame(&mut self) -> Option<Vec<u8>> {
        loop {
            if self.skip > 0 {
                let n = self.skip.min(self.end - self.pos);
                self.pos += n;
                self.skip -= n;
                if self.skip > 0 {
                    return None;
                }
            }
            let data = &self.buf[self.pos..self.end];
            if data.is_empty() {
                return None;
            }
            // Blank lines between messages are harmless.
            let ws = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if ws > 0 {
                self.pos += ws;
                continue;
            }
            let Some(header_len) = find(data, b"\r\n\r\n").map(|i| i + 4) else {
                if data.len() > MAX_HEADER || (self.eof && !data.is_empty()) {
                    return Some(self.resync(1, "invalid message header"));
                }
                return None;
            };
            if header_len > MAX_HEADER {
                return Some(self.resync(1, "invalid message header"));
            }
            let Some(len) = content_length(&data[..header_len]) else {
                return Some(self.resync(header_len, "missing or invalid Content-Length header"));
            };
            if len > MAX_BODY {
                self.pos += header_len;
                self.skip = len;
                return Some(invalid_frame(Id::Null, -32600, "message too large"));
            }
            if data.len() < header_len + len {
                return None;
            }
            let body = &data[header_len..header_len + len];
            let frame = match check(body) {
                Ok(()) => {
                    let mut f = format!("Content-Length: {len}\r\n\r\n").into_bytes();
                    f.extend_from_slice(body);
                    f
                }
                Err((id, code, msg)) => invalid_frame(id, code, &msg),
            };
            self.pos += header_len + len;
            return Some(frame);
        }
    }

    /// Skips garbage: at least `min` bytes, then up to the next `Content-Length`.
    fn resync(&mut self, min: usize, msg: &str) -> Vec<u8> {
        let data = &self.buf[self.pos..self.end];
        let min = min.min(data.len());
        let skip = match find(&data[min..], b"Content-Length") {
            Some(i) => min + i,
            None if self.eof => data.len(),
            // Keep a tail that may be the start of a split "Content-Length".
            None => data.len().saturating_sub(14).max(min),
        };
        self.pos += skip;
        invalid_frame(Id::Null, -32700, msg)
    }

    fn compact(&mut self) {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.pos > self.buf.len() / 2 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.end < READ_CHUNK {
            // Grow geometrically so a 5 MB message is not copied a hundred times.
            let want = (self.end + READ_CHUNK).max(self.buf.len() * 2);
            self.buf.resize(want, 0);
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Sanitizer<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.out_pos < this.out.len() {
                let n = (this.out.len() - this.out_pos).min(dst.remaining());
                dst.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                if this.out_pos == this.out.len() {
                    this.out.clear();
                    this.out_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if let Some(frame) = this.next_frame() {
                this.out = frame;
                this.out_pos = 0;
                continue;
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            this.compact();
            let end = this.end;
            let mut rb = ReadBuf::new(&mut this.buf[end..]);
            match Pin::new(&mut this.inner).poll_read(cx, &mut rb) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    let n = rb.filled().len();
                    if n == 0 {
                        this.eof = true;
                    }
                    this.end += n;
                }
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(header: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(header).ok()?;
    let mut len = None;
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            len = Some(value.trim().parse::<usize>().ok()?);
        }
    }
    len
}

/// What tower-lsp-server needs to decode a message: a JSON object with `"jsonrpc": "2.0"`, a
/// string `method` if any and an integer, string or null `id` if any. Anything that passes this
/// decodes as its `Request` or `Response`.
#[derive(Deserialize)]
struct Shape<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(default, deserialize_with = "string_only")]
    method: Option<Cow<'a, str>>,
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    #[allow(dead_code)]
    params: serde::de::IgnoredAny,
}

fn string_only<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    Cow::<'de, str>::deserialize(d).map(Some)
}

type Invalid = (Id, i64, String);

fn check(body: &[u8]) -> Result<(), Invalid> {
    let text = std::str::from_utf8(body)
        .map_err(|e| (Id::Null, -32700, format!("message is not UTF-8: {e}")))?;
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => (
                Id::Null,
                -32600,
                "a JSON-RPC message must be a JSON object (batches are not supported)".into(),
            ),
            Err(e) => (Id::Null, -32700, format!("parse error: {e}")),
        });
    }
    match serde_json::from_str::<Shape<'_>>(text) {
        Ok(s) if s.jsonrpc == "2.0" => {
            let _ = s.method;
            Ok(())
        }
        Ok(s) => Err((
            s.id.unwrap_or(Id::Null),
            -32600,
            "expected \"jsonrpc\": \"2.0\"".into(),
        )),
        Err(e) => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            // Well-formed JSON of the wrong shape: answer with its id when it has a usable one.
            Ok(_) => {
                let id = serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .and_then(|v| serde_json::from_value::<Id>(v).ok())
                    .unwrap_or(Id::Null);
                Err((id, -32600, format!("invalid request: {e}")))
            }
            Err(e) => Err((Id::Null, -32700, format!("parse error: {e}"))),
        },
    }
}

fn invalid_frame(id: Id, code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": INVALID_MESSAGE,
        "params": { "code": code, "message": message },
    })
    .to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The output side: writes tower-lsp-server's frames through unchanged except for the order of
/// keys in positions and ranges.
///
/// tower-lsp-server serialises every message through `serde_json::Value`, whose maps sort their
/// keys, so a range goes out as `{"end":{"character":9,"line":2},"start":{...}}`. That is valid
/// JSON-RPC, but clients and test harnesses that compare serialised objects expect the field
/// order of the LSP specification, `{"start":{"line":2,"character":0},"end":{...}}`, which every
/// other server emits. The rewrite permutes bytes in place (the length does not change) and only
/// touches the exact compact patterns serde_json produces for those objects; such patterns
/// cannot occur inside a JSON string, where every quote is escaped.
pub(crate) struct OrderedOutput<W> {
    inner: W,
    /// Bytes accepted but not yet a complete frame.
    pending: Vec<u8>,
    /// Complete, rewritten frames not yet written; `out[out_pos..]` is unwritten.
    out: Vec<u8>,
    out_pos: usize,
}

const OUT_HIGH_WATER: usize = 8 << 20;

impl<W> OrderedOutput<W> {
    pub(crate) fn new(inner: W) -> Self {
        OrderedOutput {
            inner,
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
        }
    }

    /// Moves every complete frame from `pending` to `out`, rewritten.
    fn take_frames(&mut self) {
        let mut start = 0;
        loop {
            let data = &self.pending[start..];
            let Some(h) = find(data, b"\r\n\r\n").map(|i| i + 4) else {
                break;
            };
            let Some(len) = content_length(&data[..h]) else {
                // Not ours to judge: pass the rest through untouched.
                self.out.extend_from_slice(data);
                start = self.pending.len();
                break;
            };
            if data.len() < h + len {
                break;
            }
            let at = self.out.len();
            self.out.extend_from_slice(&data[..h + len]);
            reorder_positions(&mut self.out[at + h..]);
            start += h + len;
        }
        self.pending.drain(..start);
    }
}

impl<W: AsyncWrite + Unpin> OrderedOutput<W> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.out_pos < self.out.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.out[self.out_pos..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.out_pos += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.out.clear();
        self.out_pos = 0;
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for OrderedOutput<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.out.len() - this.out_pos >= OUT_HIGH_WATER {
            match this.poll_drain(cx) {
                Poll::Ready(Ok(())) => {}
                other => return other.map(|r| r.map(|()| 0)),
            }
        }
        this.pending.extend_from_slice(buf);
        this.take_frames();
        // Start writing; a pending inner writer is fine, the bytes are accepted.
        if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.pending.is_empty() {
            let rest = std::mem::take(&mut this.pending);
            this.out.extend_from_slice(&rest);
        }
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

/// Parses `digits` at `b[i..]`; returns the index after them.
fn digits(b: &[u8], i: usize) -> Option<usize> {
    let n = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (n > 0).then_some(i + n)
}

/// Rewrites `{"character":C,"line":L}` to `{"line":L,"character":C}` and
/// `{"end":{E},"start":{S}}` to `{"start":{S},"end":{E}}`, in place.
fn reorder_positions(body: &mut [u8]) {
    const POS: &[u8] = b"{\"character\":";
    const LINE: &[u8] = b",\"line\":";
    let mut i = 0;
    while let Some(k) = find(&body[i..], POS) {
        let s = i + k;
        let Some(c_end) = digits(body, s + POS.len()) else {
            i = s + 1;
            continue;
        };
        let ok = body[c_end..].starts_with(LINE);
        let l_end = if ok {
            digits(body, c_end + LINE.len())
        } else {
            None
        };
        match l_end {
            Some(l_end) if body.get(l_end) == Some(&b'}') => {
                let c = body[s + POS.len()..c_end].to_vec();
                let l = body[c_end + LINE.len()..l_end].to_vec();
                let mut w = Vec::with_capacity(l_end + 1 - s);
                w.extend_from_slice(b"{\"line\":");
                w.extend_from_slice(&l);
                w.extend_from_slice(b",\"character\":");
                w.extend_from_slice(&c);
                w.push(b'}');
                body[s..=l_end].copy_from_slice(&w);
                i = l_end + 1;
            }
            _ => i = s + 1,
        }
    }
    const END: &[u8] = b"{\"end\":{";
    const START: &[u8] = b"},\"start\":{";
    let mut i = 0;
    while let Some(k) = find(&body[i..], END) {
        let s = i + k;
        let e_obj = s + END.len() - 1; // the '{' of the end position
        let Some(e_len) = body[e_obj..].iter().position(|&c| c == b'}') else {
            break;
        };
        let e_close = e_obj + e_len;
        if !body[e_close..].starts_with(START) {
            i = s + 1;
            continue;
        }
        let s_obj = e_close + START.len() - 1;
        let Some(s_len) = body[s_obj..].iter().position(|&c| c == b'}') else {
            break;
        };
        let s_close = s_obj + s_len;
        if body.get(s_close + 1) != Some(&b'}') {
            i = s + 1;
            continue;
        }
        let end_pos = body[e_obj..=e_close].to_vec();
        let start_pos = body[s_obj..=s_close].to_vec();
        let mut w = Vec::with_capacity(s_close + 2 - s);
        w.extend_from_slice(b"{\"start\":");
        w.extend_from_slice(&start_pos);
        w.extend_from_slice(b",\"end\":");
        w.extend_from_slice(&end_pos);
        w.push(b'}');
        body[s..=s_close + 1].copy_from_slice(&w);
        i = s_close + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_ranges_go_out_in_specification_order() {
        let mut b = br#"{"range":{"end":{"character":9,"line":2},"start":{"character":0,"line":2}},"position":{"character":31,"line":4},"message":"{\"character\":1,\"line\":2}","x":{"character":1}}"#.to_vec();
        let before = b.len();
        reorder_positions(&mut b);
        assert_eq!(b.len(), before);
        assert_eq!(
            std::str::from_utf8(&b).unwrap(),
            r#"{"range":{"start":{"line":2,"character":0},"end":{"line":2,"character":9}},"position":{"line":4,"character":31},"message":"{\"character\":1,\"line\":2}","x":{"character":1}}"#
        );
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Runs the sanitizer over `input` delivered in `chunk`-byte pieces and returns the bodies.
    fn run(input: &[u8], chunk: usize) -> Vec<serde_json::Value> {
        struct Chunks<'a>(&'a [u8], usize);
        impl AsyncRead for Chunks<'_> {
            fn poll_read(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
                b: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let n = self.1.min(self.0.len()).min(b.remaining());
                b.put_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Poll::Ready(Ok(()))
            }
        }
        let mut s = Sanitizer::new(Chunks(input, chunk));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut all = Vec::new();
        let mut tmp = [0u8; 333];
        loop {
            let mut rb = ReadBuf::new(&mut tmp);
            match Pin::new(&mut s).poll_read(&mut cx, &mut rb) {
                Poll::Ready(Ok(())) if rb.filled().is_empty() => break,
                Poll::Ready(Ok(())) => all.extend_from_slice(rb.filled()),
                other => panic!("{other:?}"),
            }
        }
        let mut out = Vec::new();
        let mut rest = &all[..];
        while !rest.is_empty() {
            let h = find(rest, b"\r\n\r\n").unwrap() + 4;
            let len = content_length(&rest[..h]).unwrap();
            out.push(serde_json::from_slice(&rest[h..h + len]).unwrap());
            rest = &rest[h + len..];
        }
        out
    }

    #[test]
    fn passes_good_messages_and_replaces_bad_ones() {
        let mut input = String::new();
        input += &frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#);
        input += &frame("{not json");
        input += "garbage without header\r\n\r\n";
        input += &frame(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#);
        input += &frame(r#"[1,2]"#);
        input += &frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#);
        input += "Content-Type: application/vscode-jsonrpc\r\n";
        input += &frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
        for chunk in [1, 7, 4096] {
            let msgs = run(input.as_bytes(), chunk);
            let methods: Vec<&str> = msgs.iter().map(|m| m["method"].as_str().unwrap()).collect();
            assert_eq!(
                methods,
                [
                    "initialize",
                    INVALID_MESSAGE,
                    INVALID_MESSAGE,
                    INVALID_MESSAGE,
                    INVALID_MESSAGE,
                    INVALID_MESSAGE,
                    "initialized"
                ],
                "chunk {chunk}: {msgs:?}"
            );
            assert_eq!(msgs[1]["params"]["code"], -32700);
            assert_eq!(msgs[3]["id"], 7);
            assert_eq!(msgs[3]["params"]["code"], -32600);
        }
    }
}
