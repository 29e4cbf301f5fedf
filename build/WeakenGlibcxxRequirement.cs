// MSBuild task compiled by RoslynCodeTaskFactory (see TorchSharpNativeFix.targets).
// Compiled against netstandard2.0 by the task factory: no nullable annotations, no newer BCL overloads.
//
// TorchSharp 0.107's libLibTorchSharp.so declares a need for GLIBCXX_3.4.32, which Debian 12's libstdc++
// does not define, so the loader refuses the library. The only symbol bound to that version is never called,
// so marking the requirement weak (VER_FLG_WEAK in .gnu.version_r) lets the loader accept it. The task only
// patches when the system libstdc++ lacks the version, never touches the package cache (it writes a fresh
// file and renames it over the output copy, which may be a hard link), and is idempotent.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxRequirement : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const uint ShtGnuVerdef = 0x6ffffffd;
    const ushort VerFlgWeak = 0x2;

    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Version { get; set; } = "";
    public string SystemLibraryCandidates { get; set; } =
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6;/lib/x86_64-linux-gnu/libstdc++.so.6;/usr/lib64/libstdc++.so.6;/usr/lib/libstdc++.so.6";

    public override bool Execute()
    {
        string system = null;
        foreach (var candidate in SystemLibraryCandidates.Split(';'))
            if (File.Exists(candidate)) { system = candidate; break; }
        if (system is null)
        {
            Log.LogMessage(MessageImportance.Low, "No system libstdc++ found; libLibTorchSharp.so left as shipped.");
            return true;
        }
        if (DefinesVersion(File.ReadAllBytes(system), Version))
        {
            Log.LogMessage(MessageImportance.Low, $"{system} defines {Version}; nothing to patch.");
            return true;
        }
        foreach (var item in Libraries)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            var bytes = File.ReadAllBytes(path);
            var changed = WeakenRequirement(bytes, Version, path);
            if (changed < 0) return false;
            if (changed == 0) continue;
            var temp = path + ".patching";
            File.WriteAllBytes(temp, bytes);
            File.Delete(path); // unlinks only this copy: a hard-linked package-cache file stays as shipped
            File.Move(temp, path);
            Log.LogMessage(MessageImportance.High, $"Marked the {Version} requirement of {path} weak ({system} lacks it).");
        }
        return true;
    }

    sealed class Section
    {
        public uint Type; public ulong Offset; public ulong Size; public uint Link; public uint Info;
    }

    static Section[] ReadSections(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file");
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var sections = new Section[shnum];
        for (int i = 0; i < shnum; i++)
        {
            int at = checked((int)shoff + i * shentsize);
            sections[i] = new Section
            {
                Type = BitConverter.ToUInt32(elf, at + 4),
                Offset = BitConverter.ToUInt64(elf, at + 0x18),
                Size = BitConverter.ToUInt64(elf, at + 0x20),
                Link = BitConverter.ToUInt32(elf, at + 0x28),
                Info = BitConverter.ToUInt32(elf, at + 0x2C),
            };
        }
        return sections;
    }

    static string ReadString(byte[] elf, Section strtab, uint offset)
    {
        int start = checked((int)(strtab.Offset + offset));
        int end = start;
        while (elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, start, end - start);
    }

    static bool DefinesVersion(byte[] elf, string version)
    {
        var sections = ReadSections(elf);
        foreach (var verdef in sections)
        {
            if (verdef.Type != ShtGnuVerdef) continue;
            var strtab = sections[verdef.Link];
            int at = (int)verdef.Offset;
            for (uint n = 0; n < verdef.Info; n++)
            {
                // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
                uint aux = BitConverter.ToUInt32(elf, at + 12);
                uint next = BitConverter.ToUInt32(elf, at + 16);
                uint name = BitConverter.ToUInt32(elf, at + (int)aux); // first Elf64_Verdaux: vda_name u32, vda_next u32
                if (ReadString(elf, strtab, name) == version) return true;
                if (next == 0) break;
                at += (int)next;
            }
        }
        return false;
    }

    /// <returns>1 when a flag was set, 0 when nothing needed changing, -1 on error.</returns>
    int WeakenRequirement(byte[] elf, string version, string path)
    {
        Section[] sections;
        try { sections = ReadSections(elf); }
        catch (Exception e) { Log.LogError($"{path}: {e.Message}"); return -1; }
        int changed = 0;
        foreach (var verneed in sections)
        {
            if (verneed.Type != ShtGnuVerneed) continue;
            var strtab = sections[verneed.Link];
            int at = (int)verneed.Offset;
            for (uint n = 0; n < verneed.Info; n++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                int count = BitConverter.ToUInt16(elf, at + 2);
                uint aux = BitConverter.ToUInt32(elf, at + 8);
                uint next = BitConverter.ToUInt32(elf, at + 12);
                int auxAt = at + (int)aux;
                for (int k = 0; k < count; k++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    ushort flags = BitConverter.ToUInt16(elf, auxAt + 4);
                    uint name = BitConverter.ToUInt32(elf, auxAt + 8);
                    uint auxNext = BitConverter.ToUInt32(elf, auxAt + 12);
                    if (ReadString(elf, strtab, name) == version && (flags & VerFlgWeak) == 0)
                    {
                        var weak = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                        elf[auxAt + 4] = weak[0];
                        elf[auxAt + 5] = weak[1];
                        changed = 1;
                    }
                    if (auxNext == 0) break;
                    auxAt += (int)auxNext;
                }
                if (next == 0) break;
                at += (int)next;
            }
        }
        if (changed == 0)
            Log.LogMessage(MessageImportance.Low, $"{path}: no strong {version} requirement; nothing to patch.");
        return changed;
    }
}
