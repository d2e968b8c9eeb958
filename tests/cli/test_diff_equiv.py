"""fwvet diff with binary equivalence: two squashfs images of one tree,
built here, where

- bin/prog is the same source rebuilt on another date in another
  directory (other build-id, __DATE__/__TIME__, __FILE__): equivalent;
- bin/calc has one constant changed: different, naming .text and the
  function;
- share/notes.txt moved to lib/notes.txt: removed and added, both paired
  by content; etc/extra is new and has no pair.

Diffing the images by path reports each verdict in JSON and text;
diffing their stored evaluations says equivalence was not computed (a
stored evaluation keeps no file bytes), and gives the same findings,
components, vulnerabilities and verdict as the diff by path.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwvtest as T  # noqa: E402
import test_equiv as E  # noqa: E402  (its programs; main() does not run)

S = T.Suite("test_diff_equiv")

EPOCH_OLD, EPOCH_NEW = 1000000000, 1700000000
NOTES = "release notes of the test image, long enough to be unique\n" * 8
NOT_STORED = {"computed": False,
              "reason": "a stored evaluation keeps no file bytes",
              "changed": None}


def build_tree(tmp, name, epoch, calc_src):
    """Builds bin/prog and bin/calc in tmp/<name>/src (so __FILE__ holds
    that directory) on `epoch`; returns the root of the tree."""
    src = os.path.join(tmp, name, "src")
    root = os.path.join(tmp, name, "root")
    for d in (src, os.path.join(root, "bin"), os.path.join(root, "etc")):
        os.makedirs(d, exist_ok=True)
    for prog, text in (("prog", E.PROG), ("calc", calc_src)):
        c = os.path.join(src, prog + ".c")
        with open(c, "w") as f:
            f.write(text)
        T.sh(["gcc", "-O2", '-DSTAMP="1"', c, "-o",
              os.path.join(root, "bin", prog)], cwd=src,
             env={"SOURCE_DATE_EPOCH": str(epoch)}, what="gcc " + prog)
    with open(os.path.join(root, "etc", "motd"), "w") as f:
        f.write("welcome\n")
    return root


def build(tmp):
    old, new, _, _ = E.CHANGES["constant"]
    changed = E.PROG.replace(old, new)
    S.check(changed != E.PROG, "the constant change applies")
    a = build_tree(tmp, "build-aaa", EPOCH_OLD, E.PROG)
    b = build_tree(tmp, "build-bbb", EPOCH_NEW, changed)
    os.makedirs(os.path.join(a, "share"))
    os.makedirs(os.path.join(b, "lib"))
    for p in (os.path.join(a, "share", "notes.txt"),
              os.path.join(b, "lib", "notes.txt")):
        with open(p, "w") as f:
            f.write(NOTES)
    with open(os.path.join(b, "etc", "extra"), "w") as f:
        f.write("only in the new release\n")
    images = []
    for root, epoch, name in ((a, EPOCH_OLD, "old.sqfs"),
                              (b, EPOCH_NEW, "new.sqfs")):
        img = os.path.join(tmp, name)
        T.sh(["mksquashfs", root, img, "-no-progress", "-quiet",
              "-noappend", "-all-time", str(epoch), "-mkfs-time",
              str(epoch)], what="mksquashfs " + name)
        images.append(img)
    S.check(T.sha256_file(os.path.join(a, "bin", "prog")) !=
            T.sha256_file(os.path.join(b, "bin", "prog")),
            "the two builds of bin/prog differ in bytes")
    return images


def diff_json(env, store, old, new):
    r = T.fwvet(S, "diff", "--store", store, "--format", "json", old, new,
                env=env, what="diff --format json %s %s" % (old, new))
    try:
        return json.loads(r.stdout)
    except ValueError as ex:
        S.check(False, "diff %s %s: output is JSON" % (old, new),
                "%s\n%s" % (ex, r.describe()))
        return {}


def entry(js, change, path):
    for x in js.get("files", {}).get(change, []):
        if x.get("path") == path:
            return x
    return None


def without_equiv(js):
    """The diff without what names its sides and without equivalence."""
    out = {k: v for k, v in js.items()
           if k not in ("tool", "before", "after", "equivalence")}
    out["files"] = {k: [{f: v for f, v in x.items() if f != "equivalence"}
                        for x in lst]
                    for k, lst in js.get("files", {}).items()}
    return out


def check_by_path(js):
    eq = js.get("equivalence", {})
    S.eq((eq.get("computed"), eq.get("reason")), (True, None),
         "by path: equivalence computed")
    changed = sorted(x["path"] for x in js.get("files", {}).get("changed",
                                                                 []))
    S.eq(changed, ["(input)", "squashfs/bin/calc", "squashfs/bin/prog"],
         "by path: changed files")
    counts = eq.get("changed") or {}
    S.eq((counts.get("equivalent"), counts.get("different"),
          counts.get("identical"), counts.get("not_compared")),
         (1, 2, 0, 0), "by path: changed files equivalent and different")

    prog = (entry(js, "changed", "squashfs/bin/prog") or {}).get(
        "equivalence") or {}
    S.eq(prog.get("verdict"), "equivalent", "bin/prog: equivalent")
    for cls in ("build-id", "timestamps"):
        S.check(cls in prog.get("classes", []),
                "bin/prog: class %s named" % cls, json.dumps(prog))
    S.check(prog.get("reasons") and prog.get("sections") == [],
            "bin/prog: reasons, no differing section", json.dumps(prog))

    calc = (entry(js, "changed", "squashfs/bin/calc") or {}).get(
        "equivalence") or {}
    S.eq(calc.get("verdict"), "different", "bin/calc: different")
    secs = calc.get("sections", [])
    S.check(".text" in [x.get("name") for x in secs],
            "bin/calc: names .text", json.dumps(calc))
    S.check("compute" in [f for x in secs for f in x.get("functions", [])],
            "bin/calc: names the function compute", json.dumps(calc))

    for change, path in (("removed", "squashfs/share/notes.txt"),
                         ("added", "squashfs/lib/notes.txt")):
        x = (entry(js, change, path) or {}).get("equivalence") or {}
        S.eq((x.get("verdict"), x.get("by_content")), ("identical", True),
             "moved file, %s side: paired by content" % change)
    extra = entry(js, "added", "squashfs/etc/extra")
    S.check(extra is not None and "equivalence" in extra and
            extra["equivalence"] is None,
            "a file only in the new image: equivalence null", str(extra))


def main():
    if not T.need_tools(S, "gcc", "mksquashfs"):
        S.finish()
    with T.tempdir("diff-equiv") as tmp:
        old, new = build(tmp)
        env = {"XDG_DATA_HOME": os.path.join(tmp, "xdg"),
               "HOME": os.path.join(tmp, "home")}
        store = os.path.join(tmp, "store.sqlite")
        for img, rel in ((old, "1"), (new, "2")):
            T.fwvet(S, "scan", "--store", store, "--product", "box",
                    "--release", rel, "-o", os.devnull, img, env=env)

        by_path = diff_json(env, store, old, new)
        check_by_path(by_path)
        by_name = diff_json(env, store, "box@1", "box@2")
        S.eq(by_name.get("equivalence"), NOT_STORED,
             "stored sides: equivalence not computed, and why")
        S.check(all("equivalence" not in x
                    for lst in by_name.get("files", {}).values()
                    for x in lst),
                "stored sides: no file has an equivalence")
        mixed = diff_json(env, store, "box@1", new)
        S.eq(mixed.get("equivalence"), NOT_STORED,
             "one stored side: equivalence not computed")
        S.check(by_path and by_name and
                without_equiv(by_path) == without_equiv(by_name),
                "by path and by name: the same diff but for equivalence")

        r = T.fwvet(S, "diff", "--store", store, old, new, env=env)
        lines = r.stdout.splitlines()
        summary = [x for x in lines if x.startswith("changed files: ")]
        S.eq(summary[:1], ["changed files: 3, of which 1 equivalent "
                           "(build-id, timestamps, build-paths) and 2 "
                           "different (.text in squashfs/bin/calc, "
                           "(input))"], "text: the equivalence summary")
        S.check(any(x.startswith("  changed  squashfs/bin/prog  "
                                 "equivalent: build-id") for x in lines),
                "text: bin/prog equivalent, with its classes", r.stdout)
        S.check(any(x.startswith("  changed  squashfs/bin/calc  different:")
                    and ".text (compute)" in x for x in lines),
                "text: bin/calc different in .text (compute)", r.stdout)
        r = T.fwvet(S, "diff", "--store", store, "box@1", "box@2", env=env)
        S.check("equivalence: not computed (a stored evaluation keeps no "
                "file bytes)" in r.stdout.splitlines(),
                "text, stored sides: equivalence not computed", r.stdout)
        r = T.fwvet(S, "diff", "--store", store, "--no-equiv", old, new,
                    env=env)
        S.check("equivalence: not computed (the inputs were not compared)"
                in r.stdout.splitlines(), "--no-equiv: not computed",
                r.stdout)
        r = T.fwvet(S, "scan", "--no-equiv", old, env=env, expect_rc=2)
        r = T.fwvet(S, "diff", "--help", env=env)
        S.check("equivalent" in r.stdout and "--no-equiv" in r.stdout,
                "diff --help explains equivalence and --no-equiv")
    S.finish()


main()
