#!/usr/bin/env python3
"""Maintainer script: rebuild the vendored fonts in fonts/ from upstream packages.

NOT run at build time (the build only reads the TTFs committed in fonts/). Run it by hand to
refresh them; needs the npm registry, a Debian apt mirror, fontTools and brotli:
    python scripts/fonts_vendor.py [--keep-downloads DIR]
Fontsource splits each style into unicode-range WOFF2 subsets, and several subset files under one
family make WeasyPrint pick wrong glyphs, so each style is merged into ONE static TTF: the first
subset is the base (keeps its GSUB/GPOS/GDEF), the others add missing glyphs, metrics and cmap
entries, and the kerning of all subsets is flattened, merged and re-classed. Hinting is dropped.
"""
import argparse, glob, json, os, shutil, subprocess, tarfile, tempfile
from collections import defaultdict
from copy import deepcopy
from fontTools import subset
from fontTools.otlLib import builder as otl
from fontTools.otlLib.optimize.gpos import compact
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fonts")
NPM = {"unifrakturmaguntia": ("5.3.0", "OFL-UnifrakturMaguntia.txt"), "pt-serif": ("5.3.0", "OFL-PTSerif.txt"),
       "playfair-display": ("5.3.0", "OFL-PlayfairDisplay.txt"), "noto-emoji": ("5.3.2", "OFL-NotoEmoji.txt"),
       "libre-franklin": ("5.3.0", "OFL-LibreFranklin.txt")}
DEB = "fonts-dejavu-core=2.37-6"
LAT = ["latin", "latin-ext", "cyrillic", "cyrillic-ext", "vietnamese"]  # whichever exist are merged
EMOJI = ["emoji"] + [str(i) for i in range(11)]  # "emoji" is near-complete; slices 0-10 merged in
FONTS = [  # file stem, package, family, subsets (first = base), styles as Style:weight[i = italic]
    ("UnifrakturMaguntia", "unifrakturmaguntia", "UnifrakturMaguntia", ["latin"], "Regular:400"),
    ("PlayfairDisplay", "playfair-display", "Playfair Display", LAT, "Bold:700 BoldItalic:700i Black:900"),
    ("PTSerif", "pt-serif", "PT Serif", LAT, "Regular:400 Italic:400i Bold:700 BoldItalic:700i"),
    ("LibreFranklin", "libre-franklin", "Libre Franklin", LAT,
     "Regular:400 SemiBold:600 Bold:700 ExtraBold:800 Italic:400i"),
    ("NotoEmoji", "noto-emoji", "Noto Emoji", EMOJI, "Regular:400"),
]
WEIGHTS = {400: "Regular", 600: "SemiBold", 700: "Bold", 800: "ExtraBold", 900: "Black"}
README = """# Bundled fonts

Committed so the PDF build never fetches fonts: one static TTF per style (all unicode-range subsets
merged), so one `@font-face` rule per file, using the family names below.

| File | Family (name table) | Weight / style | Source | Licence |
|---|---|---|---|---|
{table}

Produced by `scripts/fonts_vendor.py` (maintainer tool, not run by the build): Fontsource WOFF2
subsets merged into one TTF per style with fontTools (all glyphs/cmap, kerning of all subsets,
other OpenType features from the first subset); hinting removed; name/OS/2 style data normalised.
DejaVu is Debian's TTF with hinting removed. Glyph outlines are unchanged. Coverage gaps that fall
back to the next `font-family` (DejaVu Sans): UnifrakturMaguntia is basic/Western Latin only, PT
Serif has no Vietnamese, Playfair Display has (fletched) up/down arrows but no left/right ones.
"""


def outline(font, name):
    gs = font.__dict__.setdefault("_gs", font.getGlyphSet())
    pen = DecomposingRecordingPen(gs)
    gs[name].draw(pen)
    return tuple(pen.value), font["hmtx"][name][0]


def flat_kerning(font):
    """({(left, right): xAdvance}, kern lookup indices), resolved the way HarfBuzz applies them."""
    if "GPOS" not in font:
        return {}, []
    t = font["GPOS"].table
    idx = sorted({i for fr in t.FeatureList.FeatureRecord if fr.FeatureTag == "kern" for i in fr.Feature.LookupListIndex})
    glyphs, total = font.getGlyphOrder(), defaultdict(int)
    for li in idx:
        lk, subs = t.LookupList.Lookup[li], []
        for s in (s.ExtSubTable if lk.LookupType == 9 else s for s in lk.SubTable):
            assert s.LookupType == 2 and not s.ValueFormat2 and not s.ValueFormat1 & ~4, "unsupported kern"
            if s.Format == 1:
                subs.append((1, {g: {r.SecondGlyph: r.Value1.XAdvance for r in ps.PairValueRecord}
                                 for g, ps in zip(s.Coverage.glyphs, s.PairSet)}))
            else:
                subs.append((2, (set(s.Coverage.glyphs), s.ClassDef1.classDefs, s.ClassDef2.classDefs,
                                 [[getattr(r.Value1, "XAdvance", 0) for r in c.Class2Record] for c in s.Class1Record])))
        for g1 in glyphs:
            for g2 in glyphs:
                for fmt, d in subs:  # the first subtable that applies wins
                    if fmt == 1 and g2 in d.get(g1, ()):
                        total[g1, g2] += d[g1][g2] or 0
                        break
                    if fmt == 2 and g1 in d[0]:
                        total[g1, g2] += d[3][d[1].get(g1, 0)][d[2].get(g2, 0)] or 0
                        break
    return {k: v for k, v in total.items() if v}, idx


def set_kerning(font, pairs, lookups):
    """Replace the `kern` lookup(s) by one class-based PairPos lookup rebuilt from `pairs`."""
    cols, rows, c1, c2 = defaultdict(dict), defaultdict(dict), defaultdict(list), defaultdict(list)
    for (a, b), v in pairs.items():
        cols[b][a] = v
    for b, d in cols.items():  # right classes: glyphs with identical kerning columns
        c2[tuple(sorted(d.items()))].append(b)
    right = list(c2.values())
    cls2 = {b: i for i, gs in enumerate(right) for b in gs}
    for (a, b), v in pairs.items():
        rows[a][cls2[b]] = v
    for a, d in rows.items():  # left classes: glyphs with identical rows
        c1[tuple(sorted(d.items()))].append(a)
    table = {(tuple(sorted(left)), tuple(sorted(right[ci]))): (otl.buildValue({"XAdvance": v}), None)
             for key, left in c1.items() for ci, v in key}
    t = font["GPOS"].table
    old, st = t.LookupList.Lookup[lookups[0]], otl.buildPairPosClassesSubtable(table, font.getReverseGlyphMap())
    t.LookupList.Lookup[lookups[0]] = otl.buildLookup([st], old.LookupFlag, getattr(old, "MarkFilteringSet", None))
    for fr in t.FeatureList.FeatureRecord:  # other kern lookups become unused; the subsetter prunes them
        if fr.FeatureTag == "kern":
            fr.Feature.LookupListIndex = [lookups[0]]


def merge(paths):
    fonts = [TTFont(p) for p in paths]
    base = fonts[0]
    order, cmap, sig = list(base.getGlyphOrder()), {}, {g: outline(base, g) for g in base.getGlyphOrder()}
    uvs, kern, gdef = {}, {}, base["GDEF"].table.GlyphClassDef.classDefs if "GDEF" in base else {}
    for i, f in enumerate(fonts):
        ren, new = {}, []
        for g in f.getGlyphOrder():  # pass 1: same name + same outline = same glyph, else rename
            s, n = outline(f, g), g
            if sig.get(g) != s:
                n = g if g not in sig else f"{g}.s{i}"
                while n in sig:
                    n += "_"
                sig[n] = s; new.append((g, n)); order.append(n)
            ren[g] = n
        for g, n in new:  # pass 2: copy glyphs (components renamed) and metrics
            glyph = base["glyf"].glyphs[n] = deepcopy(f["glyf"][g])
            for c in getattr(glyph, "components", []):
                c.glyphName = ren[c.glyphName]
            for t in ("hmtx", "vmtx"):
                if t in base:
                    base[t].metrics[n] = f[t].metrics[g]
        for u, g in f.getBestCmap().items():
            cmap.setdefault(u, ren[g])
        for sel, l in (x for t in f["cmap"].tables if t.format == 14 for x in t.uvsDict.items()):
            for u, g in l:
                uvs.setdefault((sel, u), g and ren[g])
        for g, c in (f["GDEF"].table.GlyphClassDef.classDefs.items() if "GDEF" in f else ()):
            gdef.setdefault(ren[g], c)
        pairs, idx = flat_kerning(f)
        lookups = idx if i == 0 else lookups
        for (a, b), v in pairs.items():
            kern.setdefault((ren[a], ren[b]), v)
    base.setGlyphOrder(order); base["glyf"].glyphOrder = order
    if lookups:
        set_kerning(base, kern, lookups)
    base["cmap"].tables = []
    for fmt, pid, eid in ((4, 0, 3), (4, 3, 1), (12, 0, 4), (12, 3, 10), (14, 0, 5)):
        if (fmt == 4 or max(cmap) > 0xFFFF) and (fmt != 14 or uvs):
            st = CmapSubtable.newSubtable(fmt); st.platformID, st.platEncID, st.language = pid, eid, 0
            st.cmap, st.uvsDict = {u: g for u, g in cmap.items() if fmt == 12 or fmt == 4 and u < 0x10000}, {}
            for (sel, u), g in sorted(uvs.items()) if fmt == 14 else ():
                st.uvsDict.setdefault(sel, []).append((u, g))
            base["cmap"].tables.append(st)
    return base


def finish(font, dest, family=None, weight=400, italic=False):
    glyf, hmtx = font["glyf"], font["hmtx"]
    old = {g: glyf[g].xMin for g in font.getGlyphOrder() if glyf[g].numberOfContours}
    for g, x in old.items():  # save() recomputes stale glyph bboxes: move lsb along, nothing shifts
        glyf[g].recalcBounds(glyf)
        hmtx[g] = (hmtx[g][0], hmtx[g][1] + glyf[g].xMin - x)
    for t in ("STAT", "hdmx", "LTSH", "VDMX", "FFTM"):
        if t in font:
            del font[t]
    sub = subset.Subsetter(subset.Options(hinting=False, layout_features=["*"], name_IDs=["*"], legacy_kern=True,
                                          name_languages=["*"], glyph_names=False, notdef_outline=True))
    sub.populate(unicodes=font.getBestCmap().keys())
    sub.subset(font)
    if "GPOS" in font:
        compact(font, 9)
    if family:  # normalise naming and style bits (DejaVu keeps its upstream metadata)
        style = (WEIGHTS[weight] + " Italic" if italic else WEIGHTS[weight]).replace("Regular Italic", "Italic")
        ps, name = family.replace(" ", "") + "-" + style.replace(" ", ""), font["name"]
        ver = (name.getDebugName(5) or "Version 1.0").replace("Version", "").strip()
        name.names = [n for n in name.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17) and n.nameID < 256]
        ids = {1: family, 2: style, 3: f"{ver};{ps}", 4: f"{family} {style}", 6: ps}
        if weight not in (400, 700):  # non-RIBBI weight: style-link family + typographic names
            ids.update({1: f"{family} {WEIGHTS[weight]}", 2: "Italic" if italic else "Regular", 16: family, 17: style})
        for i, s in ids.items():
            name.setName(s, i, 3, 1, 0x409)
        bold, os2 = weight == 700, font["OS/2"]
        os2.usWeightClass = weight
        os2.fsSelection = (os2.fsSelection & ~0b1100001) | italic | bold << 5 | (not (bold or italic)) << 6
        font["head"].macStyle = bold | italic << 1
    font.flavor, font.recalcTimestamp = None, False  # keep upstream head.modified: reproducible output
    font.save(dest)


def fetch(work):
    for pkg, (ver, _) in NPM.items():
        tgz = subprocess.run(["npm", "pack", f"@fontsource/{pkg}@{ver}"], cwd=work, check=True,
                             capture_output=True, text=True).stdout.split()[-1]
        with tarfile.open(os.path.join(work, tgz)) as tf:
            tf.extractall(os.path.join(work, pkg), filter="data")
    subprocess.run(["apt-get", "download", DEB], cwd=work, check=True)
    deb = glob.glob(os.path.join(work, "fonts-dejavu-core_*.deb"))[0]
    subprocess.run(["dpkg-deb", "-x", deb, os.path.join(work, "dejavu")], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep-downloads", metavar="DIR", help="download into DIR (reused if already filled)")
    work = ap.parse_args().keep_downloads or tempfile.mkdtemp(prefix="fonts_vendor_")
    os.makedirs(work, exist_ok=True)
    if not os.path.isdir(os.path.join(work, "dejavu")):
        fetch(work)
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for stem, pkg, family, subsets, style in ((*f[:4], st) for f in FONTS for st in f[4].split()):
        out, weight, italic = f"{stem}-{style.split(':')[0]}", int(style.split(":")[1].rstrip("i")), style[-1] == "i"
        d, lic = os.path.join(work, pkg, "package"), NPM[pkg][1]
        ver = json.load(open(os.path.join(d, "package.json")))["version"]
        sfx = f"{weight}-{'italic' if italic else 'normal'}.woff2"
        used = [s for s in subsets if os.path.exists(f"{d}/files/{pkg}-{s}-{sfx}")]
        finish(merge([f"{d}/files/{pkg}-{s}-{sfx}" for s in used]), f"{OUT}/{out}.ttf", family, weight, italic)
        shutil.copy(os.path.join(d, "LICENSE"), os.path.join(OUT, lic))
        rows.append((out, f"npm `@fontsource/{pkg}` {ver} ({', '.join(used)})", lic))
    deb = os.path.basename(glob.glob(os.path.join(work, "fonts-dejavu-core_*.deb"))[0]).split("_")[1]
    dv = os.path.join(work, "dejavu", "usr", "share")
    for out in ("DejaVuSans", "DejaVuSans-Bold"):
        finish(TTFont(f"{dv}/fonts/truetype/dejavu/{out}.ttf"), f"{OUT}/{out}.ttf")
        rows.append((out, f"Debian `fonts-dejavu-core` {deb}", "LICENSE-DejaVu.txt"))
    shutil.copy(f"{dv}/doc/fonts-dejavu-core/copyright", os.path.join(OUT, "LICENSE-DejaVu.txt"))
    table = []
    for out, src, lic in rows:
        f = TTFont(f"{OUT}/{out}.ttf"); n = f["name"].getDebugName
        style = f"{f['OS/2'].usWeightClass} {'italic' if f['OS/2'].fsSelection & 1 else 'normal'} ({n(17) or n(2)})"
        table.append(f"| `{out}.ttf` | {n(16) or n(1)} | {style} | {src} | [{lic}]({lic}) |")
    with open(os.path.join(OUT, "README.md"), "w") as fh:
        fh.write(README.format(table="\n".join(table)))

if __name__ == "__main__":
    main()
