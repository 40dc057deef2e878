#!/usr/bin/python3
"""Writes the labelled screening query set (queries.tsv) from the real OFAC SDN list.

Fixed seed, stdlib only (Debian /usr/bin/python3). The design follows the peers' query set
(/work/shared/bench/screening.md): variants of ~400 listed entities and individuals whose
normalised name is unique on the list, one row per variant class, and ~600 names that must not
match (real organisations, generic company names, near misses sharing one token with a listed
name). Columns: class, query, expected SDN ent_num ("-" for must-not-match), the listed name the
variant was made from (for reading failures).

    /usr/bin/python3 tests/data/screening/make_queries.py [SDN_CSV] > tests/data/screening/queries.tsv
"""

import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_LIST = "/work/shared/data/lists/ofac-sdn-2024-05-03.csv"
SEED = 20240503
N_LISTED = 400


def legal_forms():
    """The phrases of src/screening/legal_forms.h: the one table, read here rather than copied."""
    text = open(os.path.join(ROOT, "src", "screening", "legal_forms.h")).read()
    body = text[text.index("kLegalForms[] = {"):]
    body = body[:body.index("};")]
    return sorted({p.lower() for p in re.findall(r'"([A-Z ]+)"', body)}, key=len, reverse=True)


LEGAL = legal_forms()
LEGAL_SET = set(LEGAL)


def tokens(name):
    """Close to NormalizeName: NFKC, case folding, marks stripped, apostrophes dropped."""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    s = re.sub(r"['`\u2019]", "", s)
    s = re.sub(r"\b(\w)\.(?=\w)", r"\1", s)
    return re.findall(r"\w+", s)


def core(toks):
    """Tokens without the legal forms at either end."""
    b, e = 0, len(toks)
    changed = True
    while changed and b < e:
        changed = False
        for k in range(min(5, e - b), 0, -1):
            if " ".join(toks[b:b + k]) in LEGAL_SET:
                b, changed = b + k, True
                break
    changed = True
    while changed and b < e:
        changed = False
        for k in range(min(5, e - b), 0, -1):
            if " ".join(toks[e - k:e]) in LEGAL_SET:
                e, changed = e - k, True
                break
    return toks[b:e] if b < e else toks


def key(name):
    return " ".join(sorted(core(tokens(name))))


def read_sdn(path):
    entries = []
    for raw in open(path, encoding="latin-1", newline=""):
        line = raw.rstrip("\r\n\x1a")
        if not line:
            continue
        fields, cur, quoted, i = [], "", False, 0
        while i < len(line):
            c = line[i]
            if quoted and c == '"' and line[i + 1:i + 2] == '"':
                cur += '"'
                i += 1
            elif c == '"':
                quoted = not quoted
            elif c == "," and not quoted:
                fields.append(cur)
                cur = ""
            else:
                cur += c
            i += 1
        fields.append(cur)
        fields = ["" if f.strip() == "-0-" else f.strip() for f in fields]
        if len(fields) < 12:
            continue
        aliases = re.findall(r"[afn]\.k\.a\. '(.*?)'(?=[;.,)]|$)", fields[11])
        entries.append({"id": fields[0], "name": fields[1], "type": fields[2], "aliases": aliases})
    return entries


# ---------------------------------------------------------------------------------------------
# Variants of a listed name.

def variant_case(rng, name):
    return rng.choice([name.lower(), name.title(), name.swapcase()])


def variant_punctuation(rng, name):
    if re.search(r"[.,\-']", name) and rng.random() < 0.5:
        return re.sub(r"[.,']", "", name).replace("-", " ")
    words = name.split()
    i = rng.randrange(len(words))
    words[i] = words[i] + rng.choice([",", ".", " -", ";"])
    s = " ".join(words)
    return s.replace(" ", rng.choice([" ", "-", ", "]), 1) if len(words) > 2 else s


def variant_legal_form(rng, name):
    toks = name.split()
    low = [t.lower().strip(".,") for t in toks]
    for k in range(min(5, len(toks) - 1), 0, -1):
        if " ".join(low[-k:]) in LEGAL_SET:
            base = " ".join(toks[:-k]).rstrip(",")
            return rng.choice([base, base + " " + rng.choice(["LLC", "Ltd.", "LIMITED", "S.A.", "GmbH", "Inc."]),
                               "OOO " + base, base + " LIMITED LIABILITY COMPANY"])
        if " ".join(low[:k]) in LEGAL_SET:
            base = " ".join(toks[k:])
            return rng.choice([base, base + " LLC", base + " OOO", base + " JSC"])
    return name + " " + rng.choice(["LLC", "Ltd", "Co., Ltd.", "S.A.", "OOO", "JSC", "PLC"])


def variant_word_order(rng, name, individual):
    if individual and "," in name:
        last, first = name.split(",", 1)
        return first.strip() + " " + last.strip()
    # Entities: the core words move, the legal form stays where it is ("JOINT STOCK COMPANY X Y").
    words = name.split()
    low = [re.sub(r"\W", "", w.lower()) for w in words]
    kept = core(low)
    b = next(i for i in range(len(low)) if low[i:i + len(kept)] == kept)
    middle = words[b:b + len(kept)]
    shuffled = middle[:]
    rng.shuffle(shuffled)
    if shuffled == middle:
        shuffled = middle[1:] + middle[:1]
    if shuffled == middle:
        return None  # one core word: no order to change
    return " ".join(words[:b] + shuffled + words[b + len(kept):])


def typo(rng, word):
    i = rng.randrange(1, len(word)) if len(word) > 1 else 0
    op = rng.choice("sdit")
    letters = "ABCDEFGHIJKLMNOPRSTUVWYZ" if word.isupper() else "abcdefghijklmnoprstuvwyz"
    if op == "s":
        return word[:i] + rng.choice([c for c in letters if c != word[i].upper() and c != word[i].lower()]) + word[i + 1:]
    if op == "d":
        return word[:i] + word[i + 1:]
    if op == "i":
        return word[:i] + rng.choice(letters) + word[i:]
    if i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice(letters) + word[i + 1:]


def variant_typos(rng, name, count):
    words = name.split()
    for _ in range(count):
        long_words = [i for i, w in enumerate(words) if len(re.sub(r"\W", "", w)) >= 4]
        if not long_words:
            return None
        i = rng.choice(long_words)
        words[i] = typo(rng, words[i])
    return " ".join(words)


MARKS = {"A": "ÁÄÂÀ", "E": "ÉÈÊË", "I": "ÍÎÏ", "O": "ÓÖÔ", "U": "ÚÜÛ", "C": "Ç", "N": "Ñ", "S": "Š", "Z": "Ž"}


def variant_diacritics(rng, name):
    chars = list(name)
    spots = [i for i, c in enumerate(chars) if c.upper() in MARKS]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 2, 3]))):
        c = rng.choice(MARKS[chars[i].upper()])
        chars[i] = c if chars[i].isupper() else c.lower()
    return "".join(chars)


def variant_spacing(rng, name):
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if len(words) >= 2 and (rng.random() < 0.5 or not long_words):
        i = rng.randrange(len(words) - 1)
        return " ".join(words[:i] + [words[i].rstrip(",") + words[i + 1]] + words[i + 2:])
    if not long_words:
        return None
    i = rng.choice(long_words)
    cut = rng.randrange(3, len(words[i]) - 2)
    return " ".join(words[:i] + [words[i][:cut], words[i][cut:]] + words[i + 1:])


# ---------------------------------------------------------------------------------------------
# Names that must not match.

REAL = """
Mayo Clinic|Cleveland Clinic|Johns Hopkins Hospital|Massachusetts General Hospital|Brigham and Women's Hospital
Mount Sinai Hospital|NewYork-Presbyterian Hospital|Cedars-Sinai Medical Center|Stanford Health Care|UCSF Medical Center
MD Anderson Cancer Center|Memorial Sloan Kettering Cancer Center|Dana-Farber Cancer Institute|Boston Children's Hospital
St. Jude Children's Research Hospital|Great Ormond Street Hospital|Guy's and St Thomas' NHS Foundation Trust
Addenbrooke's Hospital|John Radcliffe Hospital|Royal Marsden Hospital|Charité – Universitätsmedizin Berlin
Universitätsklinikum Heidelberg|Klinikum rechts der Isar|Karolinska Universitetssjukhuset|Rigshospitalet
Hôpital de la Pitié-Salpêtrière|Hôpital Necker-Enfants Malades|Hospital Clínic de Barcelona|Hospital Universitario La Paz
Ospedale San Raffaele|Policlinico Gemelli|Universitair Ziekenhuis Leuven|Erasmus MC|Amsterdam UMC|Hôpitaux Universitaires de Genève
Toronto General Hospital|The Hospital for Sick Children|Royal Melbourne Hospital|Singapore General Hospital|Apollo Hospitals
All India Institute of Medical Sciences|Aga Khan University Hospital|Groote Schuur Hospital|Hospital Israelita Albert Einstein
Hospital Sírio-Libanês|Sheba Medical Center|Hadassah Medical Center|Seoul National University Hospital|Asan Medical Center
Peking Union Medical College Hospital|Tokyo University Hospital|Queen Mary Hospital|Kenyatta National Hospital
Harvard University|Massachusetts Institute of Technology|Stanford University|University of Oxford|University of Cambridge
Imperial College London|University College London|King's College London|ETH Zürich|École Polytechnique Fédérale de Lausanne
Ludwig-Maximilians-Universität München|Technische Universität München|Ruprecht-Karls-Universität Heidelberg|Sorbonne Université
Université Paris Cité|Karolinska Institutet|University of Copenhagen|Universiteit van Amsterdam|KU Leuven|Universidad de Buenos Aires
Universidade de São Paulo|Universidad Nacional Autónoma de México|University of Toronto|McGill University|University of Melbourne
University of Sydney|National University of Singapore|University of Tokyo|Kyoto University|Tsinghua University|Peking University
Seoul National University|Indian Institute of Science|University of Cape Town|Makerere University|University of Nairobi
Hebrew University of Jerusalem|Weizmann Institute of Science|Yale University|Princeton University|Columbia University
University of California, Berkeley|University of Michigan|Duke University|Johns Hopkins University|University of Edinburgh
Pfizer Inc.|Novartis AG|F. Hoffmann-La Roche AG|Sanofi S.A.|GlaxoSmithKline plc|AstraZeneca PLC|Merck & Co., Inc.
Merck KGaA|Bayer AG|Boehringer Ingelheim GmbH|Takeda Pharmaceutical Company Limited|Eli Lilly and Company|Johnson & Johnson
AbbVie Inc.|Bristol-Myers Squibb Company|Novo Nordisk A/S|Teva Pharmaceutical Industries Ltd.|Astellas Pharma Inc.
Daiichi Sankyo Company, Limited|Eisai Co., Ltd.|Otsuka Pharmaceutical Co., Ltd.|Chugai Pharmaceutical Co., Ltd.
Galapagos NV|Orion Corporation|UCB S.A.|H. Lundbeck A/S|Ipsen S.A.|Laboratoires Servier|Grifols, S.A.|Almirall, S.A.
Gedeon Richter Plc.|Krka, d. d., Novo mesto|Zentiva Group, a.s.|Sun Pharmaceutical Industries Ltd.|Dr. Reddy's Laboratories Ltd.
Cipla Limited|Lupin Limited|Viatris Inc.|Sandoz Group AG|Fresenius Kabi AG|Stada Arzneimittel AG|Recordati S.p.A.
Chiesi Farmaceutici S.p.A.|Menarini Group|Pierre Fabre|Bial – Portela & Cª, S.A.|Polpharma S.A.|Hikma Pharmaceuticals PLC
BioNTech SE|Moderna, Inc.|CureVac N.V.|Genmab A/S|argenx SE|Vertex Pharmaceuticals Incorporated|Regeneron Pharmaceuticals, Inc.
Biogen Inc.|Amgen Inc.|Gilead Sciences, Inc.|Illumina, Inc.|QIAGEN N.V.|Evotec SE|MorphoSys AG|Bavarian Nordic A/S
Novavax, Inc.|Alnylam Pharmaceuticals, Inc.|Incyte Corporation|Seagen Inc.|BeiGene, Ltd.|Zai Lab Limited|Samsung Biologics
Celltrion, Inc.|Lonza Group AG|Sartorius AG|Eurofins Scientific SE|bioMérieux S.A.|Ascendis Pharma A/S|Zealand Pharma A/S
Idorsia Ltd|Basilea Pharmaceutica AG|Oxford Nanopore Technologies plc|Abcam plc|Horizon Discovery|Exscientia plc
IQVIA Holdings Inc.|ICON plc|Parexel International|PPD, Inc.|Syneos Health|Labcorp Drug Development|Charles River Laboratories
Medpace Holdings, Inc.|PRA Health Sciences|WuXi AppTec|Covance Inc.|PSI CRO AG|Worldwide Clinical Trials|Novotech
Premier Research|Clinipace|Caidya|Veristat|Fortrea|Pharmaron|Syngene International|Quotient Sciences|Richmond Pharmacology
DHL Express|FedEx Corporation|United Parcel Service|TNT Express|DPD Group|GLS General Logistics Systems|Aramex PJSC|Royal Mail
La Poste|Deutsche Post AG|World Courier|Marken Ltd|Cryoport, Inc.|BioLife Solutions|QuickSTAT|Kuehne + Nagel|DB Schenker
Yamato Transport|SF Express|Blue Dart Express|Purolator Inc.|Canada Post|Australia Post|PostNL|Bpost|Chronopost|Sameday Couriers
Wellcome Trust|Bill & Melinda Gates Foundation|Howard Hughes Medical Institute|National Institutes of Health|Medical Research Council
Cancer Research UK|Deutsche Forschungsgemeinschaft|European Research Council|Novo Nordisk Foundation|Chan Zuckerberg Initiative
Simons Foundation|Gordon and Betty Moore Foundation|Rockefeller Foundation|Ford Foundation|CEPI|Gavi, the Vaccine Alliance
Wellcome Sanger Institute|Fondation Bettencourt Schueller|Volkswagen Stiftung|Robert Bosch Stiftung|Fundação de Amparo à Pesquisa do Estado de São Paulo
Japan Agency for Medical Research and Development|Canadian Institutes of Health Research|Australian Research Council|Swiss National Science Foundation
Helmholtz-Gemeinschaft|Max-Planck-Gesellschaft|Fraunhofer-Gesellschaft|Institut Pasteur|Institut Curie|Inserm|CNRS
Sigma-Aldrich|Thermo Fisher Scientific Inc.|Merck Millipore|Bio-Rad Laboratories|Agilent Technologies|Waters Corporation
PerkinElmer|Becton, Dickinson and Company|Danaher Corporation|Beckman Coulter|Eppendorf SE|Miltenyi Biotec|Promega Corporation
New England Biolabs|Takara Bio Inc.|Roche Diagnostics GmbH|Siemens Healthineers AG|Philips Healthcare|GE HealthCare
Medtronic plc|Abbott Laboratories|Baxter International Inc.|Stryker Corporation|Boston Scientific Corporation|Zimmer Biomet
"""

GENERIC_A = "Northfield Riverside Summit Harbor Meridian Pinnacle Evergreen Lakeside Crescent Horizon Bluewater Oakridge Silverline Redwood Clearview Westbrook Sunrise Granite Maple Cedar".split()
GENERIC_B = "Analytical Logistics Medical Supplies Consulting Software Engineering Foods Packaging Instruments Diagnostics Holdings Ventures Partners Systems Solutions Laboratories Pharma Biologics Imaging Healthcare".split()
GENERIC_C = ["Ltd", "LLC", "Inc.", "GmbH", "Group", "Services", "Limited", "Co.", "S.A.", "B.V.", "Pty Ltd", "AG", "Corporation", ""]

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica "
         "Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul Ashley Steven Emily Andrew "
         "Kimberly Kenneth Donna Joshua Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Pierre Sophie "
         "Hans Ingrid Lars Astrid Giulia Marco Elena Pablo Lucia Jan Katarzyna Piotr Anja Henrik Mei Hiroshi Yuki Priya "
         "Rahul Olusegun Amara Kwame Fatou Chidi").split()
WORDS = ("Garden Bakery Studio Dental Veterinary Florist Library Museum Orchestra Theatre Vineyard Brewery Bookshop "
         "Pottery Gallery Academy Nursery Laundry Cycling Rowing Chess Tennis Harbour Meadow Orchard Valley Forest "
         "Brook Bridge Castle Tower Garden Market Village Cottage Mill Lantern Compass Anchor Beacon Falcon Heron").split()


def must_not_match(rng, entries, listed_token_index):
    out = []
    for line in REAL.strip().splitlines():
        out.extend(("real", n.strip()) for n in line.split("|") if n.strip())
    seen = set()
    while len([1 for c, _ in out if c == "generic"]) < 150:
        n = " ".join(x for x in [rng.choice(GENERIC_A), rng.choice(GENERIC_B), rng.choice(GENERIC_C)] if x)
        if n not in seen:
            seen.add(n)
            out.append(("generic", n))
    # Near misses: one token (4+ letters) of a listed name, the rest new; rejected when the new
    # name shares two tokens with any listed name (it could then be a listed name, truly).
    pool = [e for e in entries if len(core(tokens(e["name"]))) >= 2]
    wanted = 620 - len(out)
    while wanted > 0:
        e = rng.choice(pool)
        toks = [t for t in core(tokens(e["name"])) if len(t) >= 4 and t.isalpha()]
        if not toks:
            continue
        keep = rng.choice(toks).upper()
        if e["type"] == "individual":
            new = [keep + ",", rng.choice(FIRST)] + ([rng.choice(FIRST)] if rng.random() < 0.4 else [])
            cls = "near_miss_surname"
        else:
            new = [keep, rng.choice(WORDS)] + ([rng.choice(WORDS)] if rng.random() < 0.3 else [])
            rng.shuffle(new)
            cls = "near_miss_token"
        name = " ".join(new)
        ctoks = core(tokens(name))
        counts = {}
        for t in set(ctoks):
            for i in listed_token_index.get(t, ()):
                counts[i] = counts.get(i, 0) + 1
        if max(counts.values(), default=0) >= 2 or name in seen:
            continue
        seen.add(name)
        out.append((cls, name))
        wanted -= 1
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_LIST
    rng = random.Random(SEED)
    entries = read_sdn(path)
    key_count = {}
    joined_count = {}
    token_index = {}
    for n, e in enumerate(entries):
        for name in [e["name"]] + e["aliases"]:
            k = key(name)
            key_count[k] = key_count.get(k, 0) + 1
            j = "".join(core(tokens(name)))
            joined_count[j] = joined_count.get(j, 0) + 1
            for t in set(core(tokens(name))):
                token_index.setdefault(t, set()).add(n)

    def unique(name):
        return key_count[key(name)] == 1 and joined_count["".join(core(tokens(name)))] == 1

    candidates = [e for e in entries
                  if e["type"] in ("", "individual") and unique(e["name"])
                  and 2 <= len(core(tokens(e["name"]))) <= 6 and len("".join(core(tokens(e["name"])))) >= 8]
    def good_aliases(e):
        return [a for a in e["aliases"] if unique(a) and len("".join(core(tokens(a)))) >= 6]

    # A quarter of each kind is drawn among the entries with a usable alias, so the alias class
    # has ~200 queries; the rest among all.
    chosen = []
    for kind in ("individual", ""):
        pool = [e for e in candidates if e["type"] == kind]
        with_alias = [e for e in pool if good_aliases(e)]
        first = rng.sample(with_alias, min(len(with_alias), N_LISTED // 4))
        rest = [e for e in pool if e not in first]
        chosen += first + rng.sample(rest, N_LISTED // 2 - len(first))

    rows = []
    for e in chosen:
        name, indiv = e["name"], e["type"] == "individual"
        variants = {
            "exact": name,
            "case": variant_case(rng, name),
            "punctuation": variant_punctuation(rng, name),
            "word_order": variant_word_order(rng, name, indiv),
            "typo1": variant_typos(rng, name, 1),
            "typo2": variant_typos(rng, name, 2),
            "diacritics": variant_diacritics(rng, name),
            "spacing": variant_spacing(rng, name),
        }
        if not indiv:
            variants["legal_form"] = variant_legal_form(rng, name)
        aliases = good_aliases(e)
        if aliases:
            variants["alias"] = rng.choice(aliases)
        for cls, q in variants.items():
            if q and q.strip():
                rows.append((cls, q, e["id"], name))
    for cls, q in must_not_match(rng, entries, token_index):
        rows.append((cls, q, "-", ""))
    sys.stdout.write("# class\tquery\texpected_ent_num\tlisted_name  (generated by make_queries.py, seed %d, from %s)\n"
                     % (SEED, os.path.basename(path)))
    for r in rows:
        sys.stdout.write("\t".join(x.replace("\t", " ") for x in r) + "\n")


if __name__ == "__main__":
    main()
