namespace Grpo.Core.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ printable-character mapping: byte-level BPE vocabularies spell every byte with a
/// visible character (space becomes 'Ġ', newline 'Ċ') so tokens never contain raw control or whitespace bytes.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByteTable = BuildCharToByte(ByteToCharTable);

    public static char ByteToChar(byte value) => ByteToCharTable[value];

    public static bool TryCharToByte(char c, out byte value) => CharToByteTable.TryGetValue(c, out value);

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    private static Dictionary<char, byte> BuildCharToByte(char[] byteToChar)
    {
        var map = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++)
        {
            map[byteToChar[b]] = (byte)b;
        }
        return map;
    }
}
