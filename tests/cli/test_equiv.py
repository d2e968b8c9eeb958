"""fwvet equiv: binary equivalence of two builds, built here from source.

- the same C sources built twice, in two directories, on two dates, with
  and without -g, stripped and not: equivalent, with the reasons named;
- one constant, one branch, one run-time string, one initialised variable
  changed: different, naming the section and the function;
- squashfs images of the same tree made at different times and in a
  different inode order: equivalent; one changed .text byte: different,
  naming the file and the section;
- compressed and archived copies with other metadata: equivalent;
- moved files, missing files, --strict, --explain, JSON and SARIF (checked
  against the SARIF 2.1.0 schema), hostile inputs.
"""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402

PROG = r"""
#include <stdio.h>
#include <string.h>
static const char built[] = "built " __DATE__ " " __TIME__;
static const char where[] = __FILE__;
int limit = 10;
__attribute__((noinline)) int compute(int x) {
  if (x > 3)
    return x * 7 + 1;
  return x - 2;
}
int main(int argc, char **argv) {
  (void)argv;
  printf("%s %s %s %d\n", built, where, STAMP, compute(argc) + limit);
  puts("hello world");
  return 0;
}
"""

TOOL = r"""
#include <stdio.h>
#include <stdlib.h>
static int table[64];
int checksum(const char *s) {
  int h = 0;
  while (*s)
    h = h * 31 + *s++;
  return h;
}
int main(int argc, char **argv) {
  for (int i = 0; i < 64; i++)
    table[i] = i * i;
  printf("%d %d\n", argc > 1 ? checksum(argv[1]) : 0, table[argc]);
  return 0;
}
"""

CHANGES = {
    # what: (old, new, section that must be named, function or None)
    "constant": ("x * 7 + 1", "x * 9 + 1", ".text", "compute"),
    "branch": ("x > 3", "x >= 3", ".text", "compute"),
    "string": ("hello world", "hello wurld", ".rodata", None),
    "data": ("limit = 10", "limit = 12", ".data", "limit"),
}


def build(src_dir, out_dir, epoch, debug, strip, prog=PROG):
    """Builds the two programs from the sources in src_dir (absolute
    paths, so __FILE__ holds the build directory) into out_dir/bin."""
    os.makedirs(src_dir, exist_ok=True)
    os.makedirs(os.path.join(out_dir, "bin"), exist_ok=True)
    for name, text in (("prog.c", prog), ("tool.c", TOOL)):
        with open(os.path.join(src_dir, name), "w") as f:
            f.write(text)
    env = {"SOURCE_DATE_EPOCH": str(epoch)}
    for name in ("prog", "tool"):
        out = os.path.join(out_dir, "bin", name)
        args = ["gcc", "-O2", '-DSTAMP="%d"' % epoch,
                os.path.join(src_dir, name + ".c"), "-o", out]
        if debug:
            args.insert(1, "-g")
        T.sh(args, cwd=src_dir, env=env, what="gcc " + name)
        if strip:
            T.sh(["strip", out], what="strip " + name)
    etc = os.path.join(out_dir, "etc")
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, "motd"), "w") as f:
        f.write("welcome\n")


def equiv_json(s, ref, cand, *opts, expect_rc=None, what=None):
    r = T.fwvet(s, "equiv", "--format", "json", *opts, ref, cand,
                expect_rc=expect_rc, what=what)
    try:
        return json.loads(r.stdout), r
    except ValueError as ex:
        s.check(False, (what or "equiv") + ": output is JSON",
                "%s\n%s" % (ex, r.describe()))
        return None, r


def pair(js, fspath):
    for p in (js or {}).get("pairs", []):
        if p.get("fspath") == fspath:
            return p
    return None


def all_classes(js):
    out = set()
    for p in (js or {}).get("pairs", []):
        out.update(p.get("classes", []))
    return out


def check_contract(s, js, what):
    if not s.check(isinstance(js, dict), what + ": JSON object"):
        return
    for k in ("verdict", "pairs", "only_in_reference", "only_in_candidate",
              "summary"):
        s.check(k in js, "%s: JSON has '%s'" % (what, k))
    s.check(js.get("verdict") in ("equivalent", "not-equivalent"),
            what + ": verdict value")
    for p in js.get("pairs", []):
        ok = all(k in p for k in ("fspath", "reference", "candidate",
                                  "verdict", "reasons", "sections"))
        if not s.check(ok, what + ": pair has the contract keys", str(p)):
            break
        s.check(p["verdict"] in ("identical", "equivalent", "different"),
                what + ": pair verdict value")


def test_rebuild_equivalent(s, tmp):
    a = os.path.join(tmp, "build-aaa")
    b = os.path.join(tmp, "build-bbb")
    build(os.path.join(a, "src"), os.path.join(a, "root"), 1000000000,
          debug=True, strip=False)
    build(os.path.join(b, "src"), os.path.join(b, "root"), 1700000000,
          debug=False, strip=True)
    ra, rb = os.path.join(a, "root"), os.path.join(b, "root")
    s.check(T.sha256_file(os.path.join(ra, "bin/prog")) !=
            T.sha256_file(os.path.join(rb, "bin/prog")),
            "the two builds of prog differ in bytes")
    js, r = equiv_json(s, ra, rb, expect_rc=0, what="rebuild")
    check_contract(s, js, "rebuild")
    if not js:
        return ra, rb
    s.eq(js.get("verdict"), "equivalent", "rebuild: verdict")
    p = pair(js, "/bin/prog")
    s.check(p and p["verdict"] == "equivalent", "rebuild: /bin/prog is "
            "equivalent", json.dumps(p, indent=1)[:3000])
    if p:
        for cls in ("build-id", "timestamps", "build-paths", "debug",
                    "symbols"):
            s.check(cls in p.get("classes", []),
                    "rebuild: /bin/prog reason class '%s'" % cls,
                    json.dumps(p.get("reasons")))
        s.check(p.get("reasons"), "rebuild: reasons are listed")
        s.check(all(i.get("class") and "offset" in i and "length" in i
                    for i in p.get("ignored", [])) and p.get("ignored"),
                "rebuild: every ignored range has a class and a range")
    s.eq((pair(js, "/etc/motd") or {}).get("verdict"), "identical",
         "rebuild: /etc/motd identical")
    # text, --explain
    r = T.fwvet(s, "equiv", "--explain", ra, rb, expect_rc=0)
    s.check("verdict: equivalent" in r.stdout, "text: verdict line",
            r.stdout[-2000:])
    s.check("[timestamps]" in r.stdout and "[build-id]" in r.stdout and
            "[debug]" in r.stdout, "--explain lists ignored ranges by rule",
            r.stdout[-3000:])
    r = T.fwvet(s, "equiv", ra, rb, expect_rc=0)
    s.check("[timestamps]" not in r.stdout, "without --explain no ranges")
    # --strict
    js, _ = equiv_json(s, ra, rb, "--strict", "timestamps", expect_rc=1,
                       what="--strict timestamps")
    p = pair(js, "/bin/prog")
    s.check(p and p["verdict"] == "different" and
            any("timestamps" in x for x in p.get("reasons", [])),
            "--strict timestamps: prog different, timestamps named",
            json.dumps(p)[:2000])
    js, _ = equiv_json(s, ra, rb, "--strict", "debug,symbols", expect_rc=1,
                       what="--strict debug,symbols")
    T.fwvet(s, "equiv", "--strict", "nonsense", ra, rb, expect_rc=2)
    # Same build directory length, but the -g build not stripped against
    # the same flags: identical except build-id/paths/dates.
    return ra, rb


def test_changes(s, tmp, ref_root):
    for what, (old, new, section, func) in sorted(CHANGES.items()):
        d = os.path.join(tmp, "chg-" + what[:3])
        src = PROG.replace(old, new)
        s.check(src != PROG, "%s: the change applies" % what)
        build(os.path.join(d, "src"), os.path.join(d, "root"), 1000000000,
              debug=True, strip=False, prog=src)
        js, r = equiv_json(s, os.path.join(ref_root, "bin/prog"),
                           os.path.join(d, "root/bin/prog"), expect_rc=1,
                           what="change " + what)
        if not js:
            continue
        s.eq(js.get("verdict"), "not-equivalent", what + ": verdict")
        p = (js.get("pairs") or [None])[0]
        if not s.check(p and p["verdict"] == "different",
                       what + ": pair is different", json.dumps(js)[:2000]):
            continue
        names = [x.get("name") for x in p.get("sections", [])]
        s.check(section in names, "%s: names section %s" % (what, section),
                json.dumps(p.get("sections"))[:2000])
        if func:
            funcs = [f for x in p.get("sections", [])
                     for f in x.get("functions", [])]
            s.check(func in funcs, "%s: names %s" % (what, func),
                    json.dumps(p.get("sections"))[:2000])
        if section == ".text":
            fd = [x.get("first_difference") for x in p.get("sections", [])
                  if x.get("name") == ".text"]
            s.check(fd and fd[0] and fd[0].get("reference") and
                    fd[0].get("candidate") and fd[0]["reference"] !=
                    fd[0]["candidate"],
                    what + ": first differing instruction shown",
                    json.dumps(fd))
        rng = [x for sec in p.get("sections", []) for x in sec["ranges"]]
        s.check(rng and all("offset" in x and "length" in x for x in rng),
                what + ": byte ranges given")


def test_objects(s, tmp):
    """Relocatable objects (what kernel modules are): -g, strip
    --strip-debug and another directory renumber sections and symbols."""
    a = os.path.join(tmp, "obj-aaa")
    b = os.path.join(tmp, "obj-bbb")
    for d in (a, b):
        os.makedirs(d)
        with open(os.path.join(d, "prog.c"), "w") as f:
            f.write(PROG)
    T.sh(["gcc", "-O2", "-g", '-DSTAMP="1"', "-c", os.path.join(a, "prog.c"),
          "-o", os.path.join(a, "prog.o")], cwd=a,
         env={"SOURCE_DATE_EPOCH": "1"})
    T.sh(["gcc", "-O2", '-DSTAMP="1"', "-c", os.path.join(b, "prog.c"),
          "-o", os.path.join(b, "prog.o")], cwd=b,
         env={"SOURCE_DATE_EPOCH": "1"})
    T.sh(["strip", "--strip-debug", "-o", os.path.join(b, "stripped.o"),
          os.path.join(a, "prog.o")])
    for cand in ("prog.o", "stripped.o"):
        js, _ = equiv_json(s, os.path.join(a, "prog.o"),
                           os.path.join(b, cand), expect_rc=0,
                           what="object -g vs " + cand)
        p = (js or {}).get("pairs", [{}])[0]
        s.check(p.get("verdict") == "equivalent" and
                "debug" in p.get("classes", []),
                "object with -g vs %s: equivalent (debug)" % cand,
                json.dumps(p)[:2000])
    with open(os.path.join(b, "q.c"), "w") as f:
        f.write(PROG.replace("x * 7 + 1", "x * 9 + 1"))
    T.sh(["gcc", "-O2", '-DSTAMP="1"', "-c", os.path.join(b, "q.c"), "-o",
          os.path.join(b, "q.o")], cwd=b)
    js, _ = equiv_json(s, os.path.join(b, "prog.o"), os.path.join(b, "q.o"),
                       expect_rc=1, what="object changed constant")
    p = (js or {}).get("pairs", [{}])[0]
    funcs = [f for x in p.get("sections", []) for f in x.get("functions", [])]
    s.check("compute" in funcs, "object changed constant: names compute",
            json.dumps(p.get("sections"))[:1500])


def mksquashfs(src, img, *extra):
    if os.path.exists(img):
        os.unlink(img)
    T.sh(["mksquashfs", src, img, "-no-progress", "-quiet", "-noappend"] +
         list(extra), what="mksquashfs " + os.path.basename(img))


def text_offset(path):
    out = subprocess.run(["readelf", "-SW", path], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    for line in out.splitlines():
        if " .text " in line:
            return int(line.split("]", 1)[1].split()[3], 16)
    raise RuntimeError("no .text in " + path)


def test_images(s, tmp, root):
    a = os.path.join(tmp, "a.sqfs")
    b = os.path.join(tmp, "b.sqfs")
    c = os.path.join(tmp, "c.sqfs")
    tree = os.path.join(tmp, "tree")
    shutil.copytree(root, tree, symlinks=True)
    os.symlink("prog", os.path.join(tree, "bin", "prog-link"))
    for i in range(12):
        shutil.copy(os.path.join(tree, "bin/tool"),
                    os.path.join(tree, "bin", "tool%d" % i))
    mksquashfs(tree, a, "-mkfs-time", "1000000000", "-all-time", "1000000000")
    order = os.path.join(tmp, "sort.txt")
    with open(order, "w") as f:  # a different inode order
        for i, name in enumerate(sorted(os.listdir(os.path.join(tree,
                                                                "bin")))):
            f.write("bin/%s %d\n" % (name, i * 10 - 60))
    mksquashfs(tree, b, "-mkfs-time", "1700000000", "-all-time",
               "1700000000", "-sort", order)
    s.check(T.sha256_file(a) != T.sha256_file(b), "images differ in bytes")
    js, _ = equiv_json(s, a, b, expect_rc=0, what="squashfs rebuilt")
    check_contract(s, js, "squashfs")
    s.eq((js or {}).get("verdict"), "equivalent", "squashfs: equivalent")
    s.check({"archive-metadata"} <= all_classes(js),
            "squashfs: container metadata named", json.dumps(
                [p for p in (js or {}).get("pairs", [])
                 if p["verdict"] != "identical"])[:2000])
    T.fwvet(s, "equiv", "--strict", "mtimes", a, b, expect_rc=1,
            what="squashfs --strict mtimes")
    # image against the directory it was made from
    js, _ = equiv_json(s, tree, a, expect_rc=0, what="dir vs image")
    s.eq((js or {}).get("verdict"), "equivalent", "dir vs image: equivalent")
    # one byte of one binary's .text changed
    tree2 = os.path.join(tmp, "tree2")
    shutil.copytree(tree, tree2, symlinks=True)
    victim = os.path.join(tree2, "bin", "tool3")
    off = text_offset(victim)
    with open(victim, "r+b") as f:
        f.seek(off + 3)
        byte = f.read(1)
        f.seek(off + 3)
        f.write(bytes([byte[0] ^ 0x40]))
    mksquashfs(tree2, c, "-mkfs-time", "1700000000", "-all-time",
               "1700000000")
    js, _ = equiv_json(s, a, c, expect_rc=1, what="squashfs changed byte")
    diff = [p for p in (js or {}).get("pairs", [])
            if p["verdict"] == "different" and p["reference"]["type"] ==
            "elf"]
    s.eq([p["fspath"] for p in diff], ["/bin/tool3"],
         "changed byte: only /bin/tool3 differs")
    if diff:
        names = [x["name"] for x in diff[0]["sections"]]
        s.check(".text" in names, "changed byte: names .text", str(names))
    # SARIF of that comparison, against the schema
    r = T.fwvet(s, "equiv", "--format", "sarif", a, c, expect_rc=1)
    check_sarif(s, r.stdout, "squashfs changed byte")
    return tree


def check_sarif(s, text, what):
    try:
        doc = json.loads(text)
    except ValueError as ex:
        s.check(False, what + ": SARIF is JSON", str(ex))
        return
    schema_path = os.path.join(T.SOURCE_DIR, "tests", "schemas",
                               "sarif-schema-2.1.0.json")
    try:
        import jsonschema
    except ImportError:
        s.check(False, "python3-jsonschema is installed (scripts/bootstrap)")
        return
    with open(schema_path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    s.check(not errors, what + ": SARIF validates against 2.1.0",
            "\n".join("%s: %s" % (list(e.path), e.message)
                      for e in errors[:10]))
    results = doc.get("runs", [{}])[0].get("results", [])
    s.check(any(r.get("ruleId") == "equiv.different" for r in results),
            what + ": SARIF has an equiv.different result")


def test_archives(s, tmp, tree):
    """gzip, tar and cpio copies of the same content with other metadata:
    the containers are equivalent by their metadata."""
    a = os.path.join(tmp, "arch-a")
    b = os.path.join(tmp, "arch-b")
    for d in (a, b):
        os.makedirs(d)
    motd = os.path.join(tree, "etc", "motd")
    T.sh(["sh", "-c", "gzip -c '%s' > '%s/motd.gz'" % (motd, a)])
    T.sh(["sh", "-c", "sleep 1; touch '%s'; gzip -9 -c '%s' > '%s/motd.gz'"
          % (motd, motd, b)])
    T.sh(["tar", "-C", tree, "--mtime=@1000000000", "--owner=0", "--group=0",
          "-cf", os.path.join(a, "root.tar"), "bin", "etc"])
    T.sh(["tar", "-C", tree, "--mtime=@1700000000", "--owner=1000",
          "--group=1000", "-cf", os.path.join(b, "root.tar"), "etc", "bin"])
    js, _ = equiv_json(s, a, b, expect_rc=0, what="archives")
    s.eq((js or {}).get("verdict"), "equivalent", "archives: equivalent")
    gz = pair(js, "/motd.gz")
    s.check(gz and gz["verdict"] == "equivalent" and
            "archive-metadata" in gz.get("classes", []),
            "gzip with other mtime/level: equivalent (archive-metadata)",
            json.dumps(gz)[:1500])
    tarp = pair(js, "/root.tar")
    s.check(tarp and tarp["verdict"] == "equivalent",
            "tar in another order, mtimes, owners: equivalent",
            json.dumps(tarp)[:1500])
    T.fwvet(s, "equiv", "--strict", "owners", a, b, expect_rc=1,
            what="archives --strict owners")


def test_layout(s, tmp, tree):
    moved = os.path.join(tmp, "moved")
    shutil.copytree(tree, moved, symlinks=True)
    os.makedirs(os.path.join(moved, "sbin"))
    os.rename(os.path.join(moved, "bin", "tool5"),
              os.path.join(moved, "sbin", "checker"))
    os.unlink(os.path.join(moved, "etc", "motd"))
    with open(os.path.join(moved, "etc", "extra"), "w") as f:
        f.write("new\n")
    js, _ = equiv_json(s, tree, moved, expect_rc=1, what="moved")
    p = pair(js, "/bin/tool5")
    s.check(p and p.get("by_content") and
            p["candidate"]["path"].endswith("sbin/checker"),
            "moved file paired by content", json.dumps(p)[:1500])
    only_r = [x["fspath"] for x in (js or {}).get("only_in_reference", [])]
    only_c = [x["fspath"] for x in (js or {}).get("only_in_candidate", [])]
    s.check("/etc/motd" in only_r, "missing file listed", str(only_r))
    s.check("/etc/extra" in only_c, "extra file listed", str(only_c))


def test_hostile(s, tmp, tree):
    garbage = os.path.join(tmp, "garbage.bin")
    with open(garbage, "wb") as f:
        f.write(T.prng_bytes("equiv", 65536))
    elf = os.path.join(tree, "bin", "prog")
    with open(elf, "rb") as f:
        good = f.read()
    bad = bytearray(good)
    bad[0x3c:0x3e] = b"\xf0\xff"  # e_shnum huge
    bad[0x28:0x30] = b"\xff" * 8   # e_shoff past the end
    hostile = os.path.join(tmp, "hostile-elf")
    with open(hostile, "wb") as f:
        f.write(bad)
    trunc = os.path.join(tmp, "truncated-elf")
    with open(trunc, "wb") as f:
        f.write(good[:len(good) // 3])
    img = os.path.join(tmp, "a.sqfs")
    with open(img, "rb") as f:
        sq = f.read()
    cut = os.path.join(tmp, "cut.sqfs")
    with open(cut, "wb") as f:
        f.write(sq[:len(sq) // 2])
    empty = os.path.join(tmp, "empty")
    open(empty, "wb").close()
    for ref, cand, rc in ((elf, hostile, 1), (hostile, hostile, 0),
                          (elf, trunc, 1), (garbage, elf, 1),
                          (img, cut, 1), (cut, cut, 0), (empty, elf, 1),
                          (empty, empty, 0), (tree, garbage, 1)):
        label = "hostile %s vs %s" % (os.path.basename(ref),
                                      os.path.basename(cand))
        for fmt in ("text", "json", "sarif"):
            T.fwvet(s, "equiv", "--format", fmt, ref, cand, expect_rc=rc,
                    what=label + " " + fmt)
    r = T.fwvet(s, "equiv", elf, os.path.join(tmp, "does-not-exist"),
                expect_rc=3)
    s.check("does-not-exist" in r.stderr and r.stderr.startswith("fwvet: "),
            "missing input: clear message", r.stderr)
    T.fwvet(s, "equiv", elf, expect_rc=2, what="one operand")
    r = T.fwvet(s, "equiv", "--help", expect_rc=0)
    s.check("--strict" in r.stdout and "--explain" in r.stdout,
            "equiv --help")


def main():
    s = T.Suite("equiv")
    if not T.need_tools(s, "gcc", "strip", "mksquashfs", "readelf", "tar",
                        "gzip"):
        s.finish()
    with T.tempdir("equiv") as tmp:
        ra, rb = test_rebuild_equivalent(s, tmp)
        test_changes(s, tmp, ra)
        test_objects(s, tmp)
        tree = test_images(s, tmp, ra)
        test_archives(s, tmp, tree)
        test_layout(s, tmp, tree)
        test_hostile(s, tmp, tree)
    s.finish()


if __name__ == "__main__":
    main()
