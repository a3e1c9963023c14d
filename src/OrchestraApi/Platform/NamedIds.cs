using System.Security.Cryptography;
using System.Text;

namespace OrchestraApi.Platform;

/// <summary>Ids made from a name: a UUID (version 8) from the name's SHA-256, so the same name always makes the same id.</summary>
public static class NamedIds
{
    public static Guid Of(string name) => Of(Encoding.UTF8.GetBytes(name));

    public static Guid Of(ReadOnlySpan<byte> name)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(name, digest);
        digest[6] = (byte)((digest[6] & 0x0F) | 0x80);
        digest[8] = (byte)((digest[8] & 0x3F) | 0x80);
        return new Guid(digest[..16], bigEndian: true);
    }
}
