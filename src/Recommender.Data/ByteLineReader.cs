namespace Recommender.Data;

/// <summary>
/// Streams a file's lines as spans of raw bytes, without allocating a string per line: the rating
/// files hold tens of millions of lines and per-line strings would dominate parse time. Handles
/// LF and CRLF endings and a UTF-8 byte-order mark; keeps the 1-based line number for messages.
/// A blank line is only allowed at the end of the file: one in the middle is reported rather than
/// skipped, so that nothing is dropped silently.
/// </summary>
internal sealed class ByteLineReader : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _first = true;
    private long _firstBlankLine;

    public ByteLineReader(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    }

    public string Path { get; }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    public long Length => _stream.Length;

    /// <summary>Returns the next non-blank line; false at the end of the file.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (TryReadRawLine(out line))
        {
            if (line.IsEmpty || IsWhiteSpace(line))
            {
                if (_firstBlankLine == 0)
                {
                    _firstBlankLine = LineNumber;
                }

                continue;
            }

            if (_firstBlankLine != 0)
            {
                throw new DatasetFormatException(Path, _firstBlankLine, "blank line in the middle of the file");
            }

            return true;
        }

        return false;
    }

    public DatasetFormatException Error(string problem) => new(Path, LineNumber, problem);

    public void Dispose() => _stream.Dispose();

    private static bool IsWhiteSpace(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private bool TryReadRawLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && available.Length > 0))
            {
                var length = newline >= 0 ? newline : available.Length;
                line = available[..length];
                _start += newline >= 0 ? length + 1 : length;
                if (!line.IsEmpty && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                LineNumber++;
                if (_first)
                {
                    _first = false;
                    if (line.StartsWith("\uFEFF"u8))
                    {
                        line = line[3..];
                    }
                }

                return true;
            }

            if (_eof)
            {
                line = default;
                return false;
            }

            Fill();
        }
    }

    private void Fill()
    {
        // Move the partial line to the front; grow only for a line longer than the buffer.
        var remaining = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
        }
        else if (remaining == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _start = 0;
        _end = remaining;
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
