"""Expected answers of the competency questions, taken from the fact sheet, not from the queries.

Keyed by query file name (``ontology/queries/NN-slug.rq``). Each answer names the columns
it checks and the rows those columns must hold, as local ids (``org/morpho``), ``skg:``
names (``skg:Reported``) or literal values. ``sheet`` names the fact sheet rows the answer
is read from (``../shared/reference/amnesty-2020-facts.md``, copied to ``tests/data/reference/``).

Where the sheet leaves a modelling choice open (e.g. T-09 is "FaceReader and/or The
Observer XT"), the answer lists the acceptable rows in ``optional`` (may appear) or
``one_of`` (at least one of each group must appear). Nothing outside ``rows``,
``optional`` and ``one_of`` may appear.
"""

from __future__ import annotations

from dataclasses import dataclass

Row = tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    sheet: str
    columns: tuple[str, ...] = ()
    rows: frozenset[Row] = frozenset()
    optional: frozenset[Row] = frozenset()
    one_of: tuple[frozenset[Row], ...] = ()
    ask: bool | None = None  # the answer of an ASK query


def rows(*items: Row) -> frozenset[Row]:
    return frozenset(items)


def single(*values: str) -> frozenset[Row]:
    return frozenset((v,) for v in values)


AXIS = "org/axis-communications"
NOLDUS = "org/noldus"
MORPHO = "org/morpho"
IDEMIA = "org/idemia"
VICAR = "org/vicarvision"
MPS = "org/ministry-of-public-security"
XJNU = "org/xinjiang-normal-university"
XJ_PARA = "org/xinjiang-paramilitary-university"
SH_PSB = "org/shanghai-psb"
CAMERAS = ("product/axis-network-cameras", "technology/network-cameras")
FACEREADER = ("product/facereader", "technology/emotion-recognition")
OBSERVER = ("product/observer-xt", "technology/behaviour-analysis")
AXIS_PROGRAMMES = ("programme/skynet", "programme/sharp-eyes", "programme/campaign-3-20")
T_ROWS = tuple(f"supply/t-{n:02d}" for n in range(1, 12))
PUBLIC_SECURITY = "risk/public-security-in-flagged-state"
MASS = "risk/mass-surveillance-programme"
HIGH_RISK = "risk/high-risk-region"

_TITLE = "Out of Control: Failing EU Laws for Digital Surveillance Export"
_PUBLISHER = "Amnesty International Ltd (London)"
# The licence as the sheet words it, or as the licence's IRI.
REPORT = rows((_TITLE, _PUBLISHER, "2020-09-21", "CC BY-NC-ND 4.0 (per report front matter)"),
              (_TITLE, _PUBLISHER, "2020-09-21",
               "https://creativecommons.org/licenses/by-nc-nd/4.0/"))

# Every supply the sheet records as a transaction, minus the unverified M-04, and minus
# T-06: the sheet calls it "an attribute of the supply relation rather than a single
# sale", so it is skg:MarketPresence (a listing), answered by 33-market-presence.rq.
WHO_SUPPLIED_WHOM = rows(
    ("supply/t-01", MORPHO, SH_PSB),
    ("supply/t-02", AXIS, "programme/guilin-skynet-upgrade"),
    ("supply/t-03", AXIS, SH_PSB),
    ("supply/t-04", AXIS, "org/lingchuan-psb"),
    ("supply/t-05", AXIS, "org/jingjiang-psb"),
    ("supply/t-07", NOLDUS, MPS),
    ("supply/t-08", NOLDUS, "org/cppsu"),
    ("supply/t-09", NOLDUS, XJNU),
    ("supply/t-10", NOLDUS, XJ_PARA),
    ("supply/t-11", NOLDUS, "org/prison-staff-trainers"),
    ("supply/vicarvision-mps", VICAR, MPS),
    *(("supply/axis-programmes", AXIS, p) for p in AXIS_PROGRAMMES),
)

EXPECTED: dict[str, Answer] = {
    "01-who-supplied-whom.rq": Answer(
        sheet="T-01..T-11 but T-06 (a listing, not a sale); F-PJ-02/05/08 (Axis -> Skynet, "
              "Sharp Eyes, 3.20); F-CO-14, F-EU-09 (VicarVision's share of the MPS delivery); "
              "M-04 is unverified and left out",
        columns=("supply", "supplier", "receiver"),
        rows=WHO_SUPPLIED_WHOM),

    "02-what-was-supplied.rq": Answer(
        sheet="section 5 product column; section 2 categories; T-09 'FaceReader (and/or "
              "Observer XT)', T-10 'not specified (FaceReader and/or The Observer XT)': both "
              "alternatives, neither certain; T-06 is a listing, not a supply",
        columns=("supply", "product", "technology", "certainty"),
        rows=rows(
            ("supply/t-01", "product/morpho-facial-recognition", "technology/facial-recognition",
             "certain"),
            *((s, *CAMERAS, "certain") for s in ("supply/t-02", "supply/t-03", "supply/t-04",
                                                 "supply/t-05", "supply/axis-programmes")),
            ("supply/t-07", *FACEREADER, "certain"),
            ("supply/vicarvision-mps", *FACEREADER, "certain"),
            ("supply/t-08", *OBSERVER, "certain"),
            ("supply/t-11", *OBSERVER, "certain"),
            *((s, *p, "one or more of") for s in ("supply/t-09", "supply/t-10")
              for p in (FACEREADER, OBSERVER)))),

    "03-evidence-of-a-supply.rq": Answer(
        sheet="T-01 sources S10, S11, S12, S27; Sources table; confidence 'reported by press'",
        columns=("source", "publisher", "date", "confidence"),
        rows=rows(
            ("source/s10", "bnreport.com", "2020-09-21", "reported by press"),
            ("source/s11", "Israel Defense", "2020-09", "reported by press"),
            ("source/s12", "De Morgen / dekrantenkoppen.be", "2020-09-21", "reported by press"),
            ("source/s27", "L'Usine Digitale", "2020-09-21", "reported by press"))),

    "04-idemia-predecessors.rq": Answer(
        sheet="CO-MORPHO aliases; F-CO-02, F-CO-03, ORG-OBERTHUR",
        columns=("predecessor",),
        rows=single(MORPHO, "org/safran-identity-security", "org/oberthur-technologies")),

    "05-what-morpho-became.rq": Answer(
        sheet="F-CO-02 (2017 merger), F-CO-03 ('ex-Morpho'; date of the rename not given)",
        columns=("predecessor", "successor", "kind", "date"),
        rows=rows((MORPHO, "org/safran-identity-security", "rename", ""),
                  ("org/safran-identity-security", IDEMIA, "merger", "2017"))),

    "06-who-owns-axis.rq": Answer(
        sheet="F-CO-08 (offer of 10 Feb 2015; completion not described), ORG-CANON; primary",
        columns=("owner", "start", "end", "controlling", "confidence"),
        rows=rows(("org/canon", "2015", "", "true", "skg:PrimaryNonReport"))),

    "07-who-owns-idemia.rq": Answer(
        sheet="F-CO-03, ORG-ADVENT, ORG-BPIFRANCE (Bpifrance took a stake)",
        columns=("owner", "controlling"),
        rows=rows(("org/advent-international", "true"), ("org/bpifrance", "false"))),

    "08-canon-group-supplies.rq": Answer(
        sheet="ORG-CANON, F-CO-08; T-02..T-05 (T-06 is a listing); F-PJ-02/05/08; M-04 left out",
        columns=("supply", "receiver"),
        rows=rows(*((s, r) for s, who, r in WHO_SUPPLIED_WHOM if who == AXIS))),

    "09-idemia-group-supplies.rq": Answer(
        sheet="T-01 (Morpho, 2015); F-CO-02",
        columns=("supply", "supplier", "recipient", "date"),
        rows=rows(("supply/t-01", MORPHO, SH_PSB, "2015"))),

    "10-programmes-reached-by-axis.rq": Answer(
        sheet="F-PJ-02, F-PJ-05, F-PJ-08 (Skynet, Sharp Eyes, 3.20); T-02, F-PJ-04 (Guilin)",
        columns=("programme",),
        rows=single(*AXIS_PROGRAMMES, "programme/guilin-skynet-upgrade")),

    "11-recipients-in-xinjiang.rq": Answer(
        sheet="section 3 'in Xinjiang' column: EU-XJNU, EU-XJ-PARAMILITARY-UNI; T-09, T-10",
        columns=("recipient", "supplier"),
        rows=rows((XJNU, NOLDUS), (XJ_PARA, NOLDUS))),

    "12-xinjiang-claims-incl-unverified.rq": Answer(
        sheet="T-09, T-10 (reported by press); M-04 (unverified, Sveriges Radio only)",
        columns=("supply", "recipient", "confidence", "counts"),
        rows=rows(("supply/t-09", XJNU, "reported by press", "true"),
                  ("supply/t-10", XJ_PARA, "reported by press", "true"),
                  ("supply/m-04", "org/unnamed-xinjiang-end-users", "reported by press",
                   "false"))),

    "13-public-security-recipients.rq": Answer(
        sheet="section 3 type column (law enforcement / national law enforcement ministry); "
              "CPPSU is a police university, so either reading is allowed",
        columns=("recipient", "supplier"),
        rows=rows((SH_PSB, MORPHO), (SH_PSB, AXIS), ("org/lingchuan-psb", AXIS),
                  ("org/jingjiang-psb", AXIS), (MPS, NOLDUS), (MPS, VICAR)),
        optional=rows(("org/cppsu", NOLDUS))),

    "14-chinese-names.rq": Answer(
        sheet="section 3 Chinese name column; section 4 project names",
        columns=("entity", "chineseName"),
        rows=rows((SH_PSB, "上海市公安局"), (MPS, "公安部"), ("org/cppsu", "中国人民公安大学"),
                  (XJNU, "新疆师范大学"), ("programme/skynet", "天网工程"),
                  ("programme/sharp-eyes", "雪亮工程"),
                  ("programme/sharp-eyes", "公共安全视频监控建设联网应用工程"),
                  ("programme/ijop", "一体化联合作战平台")),
        # Unresolved or place-only names in the sheet: allowed, not required.
        optional=rows(("org/lingchuan-psb", "灵川县"), ("org/lingchuan-psb", "陵川县"),
                      ("org/jingjiang-psb", "靖江"))),

    "15-facereader-makers.rq": Answer(
        sheet="PR-FACEREADER, F-CO-14 (joint product, joint delivery), F-EU-09, T-07",
        columns=("maker", "deliveredToMps"),
        rows=rows((NOLDUS, "true"), (VICAR, "true"))),

    "16-supply-dates.rq": Answer(
        sheet="section 5 date column: T-01 2015, T-09 2012-2018, T-10 2012; T-07 only 'by "
              "July 2019'; T-06 (2012-2019) is a listing, not a supply",
        columns=("supply", "date", "start", "end"),
        rows=rows(("supply/t-01", "2015", "", ""),
                  ("supply/t-09", "", "2012", "2018"), ("supply/t-10", "2012", "", "")),
        optional=rows(("supply/t-07", "", "", "2019-07"),
                      ("supply/vicarvision-mps", "", "", "2019-07"))),

    "17-annex-i-entries.rq": Answer(
        sheet="F-PO-18 (inferred)",
        columns=("code", "technology"),
        rows=rows(("5A001.f", "technology/interception"),
                  ("5A001.j", "technology/network-monitoring"),
                  ("4A005", "technology/intrusion-software"),
                  ("4D004", "technology/intrusion-software"),
                  ("5A004.b", "technology/digital-forensics"),
                  ("5D002.a.3.b", "technology/digital-forensics"),
                  ("5D002.c.3.b", "technology/digital-forensics"))),

    "18-control-gap.rq": Answer(
        sheet="F-PO-02, F-PO-18 (facial, emotion, behaviour recognition not listed; Annex I "
              "lists no cameras), M-06, F-PO-21",
        columns=("technology",),
        rows=single("technology/facial-recognition", "technology/emotion-recognition",
                    "technology/behaviour-analysis", "technology/network-cameras")),

    "19-not-listed-classifications.rq": Answer(
        sheet="F-PO-18 (inferred); F-PO-02 (facial recognition unregulated, stated in report)",
        columns=("technology", "confidence"),
        rows=rows(("technology/emotion-recognition", "skg:Inferred"),
                  ("technology/behaviour-analysis", "skg:Inferred")),
        optional=rows(("technology/facial-recognition", "skg:Inferred"),
                      ("technology/facial-recognition", "skg:StatedInReport"),
                      ("technology/network-cameras", "skg:Inferred")),
        one_of=(rows(("technology/facial-recognition", "skg:Inferred"),
                     ("technology/facial-recognition", "skg:StatedInReport")),)),

    "20-article-5-catch-all.rq": Answer(
        sheet="F-PO-17, F-PO-19 (guidelines list certain facial and emotion recognition)",
        columns=("technology",),
        rows=single("technology/facial-recognition", "technology/emotion-recognition")),

    "21-any-licensable-supply.rq": Answer(
        sheet="F-PO-02, F-PO-21, M-06 (the sales were legal; no licence was needed)",
        ask=False),

    "22-disputed-and-unverified.rq": Answer(
        sheet="section 10: M-01..M-06 (recorded as disputed / unverified, or left out); "
              "M-04 also as the unverified supply",
        columns=("claim", "status"),
        rows=rows(("supply/m-04", "skg:Unverified")),
        optional=rows(("misstatement/m-01", "skg:Disputed"), ("misstatement/m-02", "skg:Disputed"),
                      ("misstatement/m-03", "skg:Disputed"),
                      ("misstatement/m-04", "skg:Unverified"),
                      ("misstatement/m-05", "skg:Unverified"),
                      ("misstatement/m-05", "skg:Disputed"),
                      ("misstatement/m-06", "skg:Disputed"))),

    "23-company-responses.rq": Answer(
        sheet="section 8: F-CR-02, F-CR-03 (Idemia on Morpho's sale), F-CR-04, F-CR-05 (Axis), "
              "F-CR-06..08 (Noldus); F-CR-01 'ALL'",
        columns=("response", "respondent", "supplier"),
        rows=rows(("response/f-cr-02", IDEMIA, MORPHO), ("response/f-cr-03", IDEMIA, MORPHO),
                  ("response/f-cr-04", AXIS, AXIS), ("response/f-cr-05", AXIS, AXIS),
                  ("response/f-cr-06", NOLDUS, NOLDUS), ("response/f-cr-07", NOLDUS, NOLDUS),
                  ("response/f-cr-08", NOLDUS, NOLDUS)),
        optional=rows(*(("response/f-cr-01", who, supplier)
                        for who in (IDEMIA, MORPHO, AXIS, NOLDUS)
                        for supplier in (MORPHO, AXIS, NOLDUS)),
                      ("response/f-cr-06", NOLDUS, VICAR))),

    "24-amnesty-replies.rq": Answer(
        sheet="F-CR-09 (Amnesty's reply to Noldus's point that it declined to inspect, F-CR-06)",
        columns=("reply", "answered", "answeredBy"),
        rows=rows(("response/f-cr-09", "response/f-cr-06", NOLDUS))),

    "25-single-source-supplies.rq": Answer(
        sheet="section 5 source column; section 11 'single-source details'; M-04 (S24 only)",
        columns=("supply", "onlySource"),
        rows=rows(("supply/t-04", "source/s08"), ("supply/t-05", "source/s08"),
                  ("supply/t-08", "source/s14"), ("supply/t-10", "source/s12"),
                  ("supply/t-11", "source/s14"), ("supply/m-04", "source/s24"))),

    "26-press-only-supplies.rq": Answer(
        sheet="section 5 confidence column (every transaction 'reported by press'; T-06 is a "
              "listing, not a supply); M-04 rests on a radio interview",
        columns=("supply",),
        rows=single(*(t for t in T_ROWS if t != "supply/t-06")),
        optional=single("supply/m-04")),

    "27-sources-before-2020.rq": Answer(
        sheet="Sources table dates; F-PO-04 (Regulation 428/2009 of 5 May 2009)",
        columns=("source", "date"),
        rows=rows(("source/s34", "2015-02-11"), ("source/s35", "2016-09-29"),
                  ("source/s36", "2019-07"), ("source/s37", "2019-09-10"),
                  ("source/s38", "2018-08-01"), ("source/s39", "2018"),
                  ("source/s40", "2015-04-24"), ("source/s41", "2019-05"),
                  ("source/s55", "2013-11-12"), ("source/s57", "2015-02-10")),
        optional=rows(("regulation/ec-428-2009", "2009-05-05"))),

    "28-low-reliability-evidence.rq": Answer(
        sheet="S09 Breitbart is press_low_reliability; T-02 (S09, S10, S08); F-PJ-04 (S09 only)",
        columns=("claim", "weakSource", "otherSources"),
        rows=rows(("supply/t-02", "source/s09", "2"),
                  ("participation/guilin-skynet-upgrade-skynet", "source/s09", "0")),
        # A Xinjiang flag may rest on F-RK-06 (S33, S09).
        optional=rows(("flag/xinjiang-high-risk-region", "source/s09", "1"))),

    "29-risk-flags.rq": Answer(
        sheet="modelling decisions (docs/seed-ids.md); F-RK-01/05/06, F-PJ-01/02/05/09, "
              "F-EU-12, F-EU-14",
        columns=("flagged", "indicator"),
        rows=rows(("place/xinjiang", HIGH_RISK), ("place/china", PUBLIC_SECURITY),
                  *((p, MASS) for p in (*AXIS_PROGRAMMES, "programme/ijop")),
                  (XJNU, "risk/security-service-ties"),
                  (XJ_PARA, "risk/paramilitary-affiliation"))),

    "30-risk-targets.rq": Answer(
        sheet="the flags above propagated: PSBs in China; XJNU and the paramilitary university "
              "in Xinjiang; MPS in Sharp Eyes (F-PJ-06); Guilin part of Skynet (F-PJ-04)",
        columns=("target", "indicator"),
        rows=rows((SH_PSB, PUBLIC_SECURITY), ("org/lingchuan-psb", PUBLIC_SECURITY),
                  ("org/jingjiang-psb", PUBLIC_SECURITY), (MPS, PUBLIC_SECURITY), (MPS, MASS),
                  (XJNU, HIGH_RISK), (XJNU, "risk/security-service-ties"),
                  (XJ_PARA, HIGH_RISK), (XJ_PARA, "risk/paramilitary-affiliation"),
                  ("programme/guilin-skynet-upgrade", MASS),
                  *((p, MASS) for p in AXIS_PROGRAMMES)),
        optional=rows(("org/cppsu", PUBLIC_SECURITY))),

    "31-report-metadata.rq": Answer(
        sheet="section 0 (report metadata)",
        columns=("title", "publisher", "date", "licence"),
        optional=REPORT,
        one_of=(REPORT,)),

    # ------------------------------------------------------------ structure (issue 12)

    "32-law-at-the-time.rq": Answer(
        sheet="F-PO-04 (the regime being recast was 428/2009), F-PO-15 (2021/821 applied from "
              "September 2021), M-06 (the sales were legal under the then-current rules); "
              "section 5 dates (2012-2019) and source dates (all by 2020)",
        columns=("supply", "regulation"),
        rows=rows(*((s, "regulation/ec-428-2009") for s, _, _ in WHO_SUPPLIED_WHOM))),

    "33-market-presence.rq": Answer(
        sheet="T-06: Axis listed as 'recommended brand' in Chinese state surveillance tenders, "
              "2012-2019, through unnamed resellers; 'an attribute of the supply relation rather "
              "than a single sale'",
        columns=("record", "firm", "kind", "among", "via", "start", "end"),
        rows=rows(("supply/t-06", AXIS, "skg:Listing", "org/chinese-surveillance-tender-issuers",
                   "org/chinese-resellers", "2012", "2019"))),

    "34-facereader-recipients.rq": Answer(
        sheet="T-07, F-CO-14, F-EU-09 (FaceReader to the MPS, certain); T-09 'PR-FACEREADER "
              "(and/or PR-OBSERVERXT; press not specific)', T-10 'not specified (FaceReader "
              "and/or The Observer XT)'",
        columns=("supply", "recipient", "certainty"),
        rows=rows(("supply/t-07", MPS, "certain"), ("supply/vicarvision-mps", MPS, "certain"),
                  ("supply/t-09", XJNU, "one or more of"),
                  ("supply/t-10", XJ_PARA, "one or more of"))),

    "35-capabilities-removed.rq": Answer(
        sheet="F-PR-07: face recognition (identification) and ethnicity recognition removed "
              "from FaceReader in 2019 (reported by press)",
        columns=("product", "capability", "removed", "confidence"),
        rows=rows(("product/facereader", "technology/facial-recognition", "2019",
                   "skg:ReportedByPress"),
                  ("product/facereader", "technology/ethnicity-recognition", "2019",
                   "skg:ReportedByPress"))),

    "36-member-state-positions.rq": Answer(
        sheet="F-PO-11: France and Sweden (among 'most EU governments') resisted; Germany and "
              "the Netherlands expressed the need for stronger safeguards; F-PO-12 (Sweden a "
              "brake); both stated in report",
        columns=("holder", "stance", "confidence"),
        rows=rows(("place/france", "skg:ResistedSafeguards", "skg:StatedInReport"),
                  ("place/sweden", "skg:ResistedSafeguards", "skg:StatedInReport"),
                  ("place/germany", "skg:CalledForSafeguards", "skg:StatedInReport"),
                  ("place/netherlands", "skg:CalledForSafeguards", "skg:StatedInReport"))),

    "37-parties-named-by-the-report.rq": Answer(
        sheet="F-CO-01, F-CO-06, F-CO-11 (the three exporters, stated in report); F-PJ-01/02/05/"
              "08 (Skynet, Sharp Eyes, '3.20'); F-EU-06 (Shanghai, Lingchuan, Jingjiang bureaus) "
              "and F-EU-12 (Xinjiang Normal University), reported by press; VicarVision is 'not "
              "confirmed as named in the Amnesty report'",
        columns=("party", "role", "confidence"),
        rows=rows((MORPHO, "exporter", "skg:StatedInReport"),
                  (AXIS, "exporter", "skg:StatedInReport"),
                  (NOLDUS, "exporter", "skg:StatedInReport"),
                  *((p, "programme", "skg:StatedInReport") for p in AXIS_PROGRAMMES),
                  *((e, "end user", "skg:ReportedByPress")
                    for e in (SH_PSB, "org/lingchuan-psb", "org/jingjiang-psb", XJNU)))),

    "38-hops-on-low-reliability-only.rq": Answer(
        sheet="S09 (Breitbart) and S29 are press_low_reliability; F-PJ-04 (Guilin project part "
              "of Skynet) rests on S09 alone; T-02 also has S10 and S08",
        columns=("claim", "source"),
        rows=rows(("participation/guilin-skynet-upgrade-skynet", "source/s09"))),

    "39-camera-counts.rq": Answer(
        sheet="F-EU-04: Guilin's network grew from about 8,000 to about 30,000 cameras",
        columns=("project", "phase", "cameras", "approximate"),
        rows=rows(("programme/guilin-skynet-upgrade", "skg:BeforeProject", "8000", "true"),
                  ("programme/guilin-skynet-upgrade", "skg:AfterProject", "30000", "true"))),

    "40-recommendations.rq": Answer(
        sheet="F-PO-05, F-PO-06 (stated in report); F-PO-07, F-PO-08, F-PO-09 (reported by "
              "press)",
        columns=("recommendation", "technology", "confidence"),
        rows=rows(
            ("recommendation/technology-neutral-scope", "", "skg:StatedInReport"),
            ("recommendation/human-rights-due-diligence", "", "skg:StatedInReport"),
            ("recommendation/control-biometric-surveillance", "technology/biometric-surveillance",
             "skg:ReportedByPress"),
            ("recommendation/control-emotion-ethnicity-recognition",
             "technology/emotion-recognition", "skg:ReportedByPress"),
            ("recommendation/control-emotion-ethnicity-recognition",
             "technology/ethnicity-recognition", "skg:ReportedByPress"),
            ("recommendation/ban-facial-recognition-identification",
             "technology/facial-recognition", "skg:ReportedByPress"))),

    "41-report-method.rq": Answer(
        sheet="F-OT-05 (legal review, political analysis of the recast, Chinese public "
              "procurement databases; reported by press); F-CR-01 (investigation letters, "
              "stated in report)",
        columns=("kind", "confidence"),
        rows=rows(("skg:LegalReview", "skg:ReportedByPress"),
                  ("skg:PolicyAnalysis", "skg:ReportedByPress"),
                  ("skg:ProcurementSearch", "skg:ReportedByPress"),
                  ("skg:LettersToCompanies", "skg:StatedInReport"))),

    "42-letters-to-companies.rq": Answer(
        sheet="F-CR-01: findings sent in investigation letters; all companies provided details",
        columns=("company", "replied"),
        rows=rows((MORPHO, "true"), (AXIS, "true"), (NOLDUS, "true"))),

    "43-control-then-and-now.rq": Answer(
        sheet="F-PO-02 (facial recognition unregulated then, stated in report); F-PO-21 (no "
              "export restriction on Noldus's products then); F-PO-18 (not listed in 2021/821 "
              "Annex I, inferred); F-PO-19 (Article 5 guidelines: facial, emotion recognition); "
              "no 428/2009 Annex I entry is named in the sheet",
        columns=("technology", "regulation", "entry", "confidence"),
        rows=rows(
            ("technology/facial-recognition", "regulation/ec-428-2009",
             "control/not-listed-428-2009", "skg:StatedInReport"),
            ("technology/emotion-recognition", "regulation/ec-428-2009",
             "control/not-listed-428-2009", "skg:ReportedByPress"),
            ("technology/behaviour-analysis", "regulation/ec-428-2009",
             "control/not-listed-428-2009", "skg:ReportedByPress"),
            ("technology/facial-recognition", "regulation/eu-2021-821", "control/not-listed",
             "skg:Inferred"),
            ("technology/emotion-recognition", "regulation/eu-2021-821", "control/not-listed",
             "skg:Inferred"),
            ("technology/behaviour-analysis", "regulation/eu-2021-821", "control/not-listed",
             "skg:Inferred"),
            ("technology/facial-recognition", "regulation/eu-2021-821",
             "control/article-5-catch-all", "skg:PrimaryNonReport"),
            ("technology/emotion-recognition", "regulation/eu-2021-821",
             "control/article-5-catch-all", "skg:PrimaryNonReport"))),

    "44-places-by-chinese-name.rq": Answer(
        sheet="EU-XJNU location 'Xinjiang Uyghur Autonomous Region'; ISO 3166-1 (not in the "
              "sheet: reference data from Debian iso-codes)",
        columns=("place", "name"),
        rows=rows(("place/xinjiang", "Xinjiang"), ("place/kenya", "Kenya"),
                  ("place/canada", "Canada"), ("place/germany", "Germany"))),
}
