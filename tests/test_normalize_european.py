"""Continental European statement lines: billing periods, bank wording, SEPA references,
utilities and accents (round-35 audit: DKB, Sparkasse, comdirect, Société Générale, BBVA,
Rabobank, ABN AMRO)."""

from __future__ import annotations

import pandas as pd
import pytest

from detector.charge_codes import mask_charge_codes
from detector.descriptor_words import FUEL_STATION, GOVERNMENT_FEE, HOUSING_PAYMENT, SENT_BY_HOLDER, UTILITY_NAME
from detector.flags import is_utility
from detector.match import MerchantMatcher
from detector.normalize import normalize_descriptors, normalize_one


@pytest.fixture(scope="module")
def matcher():
    return MerchantMatcher().fit()


def _batch_keys(lines):
    # one account per line: the batch path (pre-passes, per-charge code masking) as a scan runs it
    return normalize_descriptors(pd.Series(lines), groups=pd.Series(range(len(lines))))["merchant_key"].tolist()


# -- the billing period in a SEPA purpose -----------------------------------------------------

@pytest.mark.parametrize("may, june", [
    ("Kundenkonto 5001234567 Rechnung 05/2026 o2", "Kundenkonto 5001234567 Rechnung 06/2026 o2"),
    ("Abschlag Strom Vertragskonto 851234567 05.2026", "Abschlag Strom Vertragskonto 851234567 06.2026"),
    ("Auftraggeber: FitX Deutschland GmbH Buchungstext: Mitgliedsbeitrag 05.2026 MNr 100223344 Ref. 1A2B3C4D/123",
     "Auftraggeber: FitX Deutschland GmbH Buchungstext: Mitgliedsbeitrag 06.2026 MNr 100223344 Ref. 9F8E7D6C/456"),
    ("Rundfunk ARD, ZDF, DRadio Rundfunk 01.2025 - 03.2025 Beitragsnr. 123456789",
     "Rundfunk ARD, ZDF, DRadio Rundfunk 04.2025 - 06.2025 Beitragsnr. 123456789"),
    ("Termijnbedrag 05-2026 contract 123456789", "Termijnbedrag 06-2026 contract 123456789"),
    ("MOVISTAR FUSION FACTURA 05/2026", "MOVISTAR FUSION FACTURA 06/2026"),
    ("ZIGGO FACTUUR 2026-05 KLANTNR 44556677", "ZIGGO FACTUUR 2026-06 KLANTNR 44556677"),
    ("Mitgliedsbeitrag Mai 2026", "Mitgliedsbeitrag Juni 2026"),
    ("ABONNEMENT LE MONDE MAI 2026", "ABONNEMENT LE MONDE JUIN 2026"),
    ("CUOTA GIMNASIO MAYO 2026", "CUOTA GIMNASIO JUNIO 2026"),
    ("CANONE FIBRA MAGGIO 2026", "CANONE FIBRA GIUGNO 2026"),
    ("CONTRIBUTIE MEI 2026", "CONTRIBUTIE JUNI 2026"),
    ("PATREON MEMBERSHIP MAY 2026", "PATREON MEMBERSHIP JUNE 2026"),
])
def test_a_bills_month_is_no_part_of_its_merchant(may, june):
    # round-35 audit: "Rechnung 05/2026 o2" kept "05", so one monthly bill was twelve yearly
    # plans, each with an annual_renewal flag and a refund request
    k_may, k_june = normalize_one(may)[0], normalize_one(june)[0]
    assert k_may == k_june
    assert not any(w in k_may.split() for w in ("05", "06", "01", "03", "04", "2025", "2026", "mai", "juin"))
    assert _batch_keys([may, june]) == [k_may, k_june]


@pytest.mark.parametrize("months, key", [
    (["MIETE NOVEMBER", "MIETE DEZEMBER", "MIETE MAI", "MIETE JULI", "Miete für März"], "miete"),
    (["Loyer novembre", "Loyer décembre", "LOYER D'AVRIL", "Loyer du mois de mai"], "loyer"),
    (["Abschlag Dezember", "Abschlag Januar"], "abschlag"),
    (["Cuota enero", "Cuota febrero", "CUOTA DE MAYO"], "cuota"),
    (["Huur december", "Huur mei", "HUUR OVER JUNI"], "huur"),
    (["AFFITTO GENNAIO", "AFFITTO MAGGIO"], "affitto"),
    (["RENT MAY", "RENT 4471 JUNE", "RENT FOR AUGUST"], "rent"),
    (["Hausverwaltung Krause Miete November", "Hausverwaltung Krause Miete Mai"], "hausverwaltung krause miete"),
])
def test_a_month_named_without_a_year_after_a_bills_word_goes(months, key):
    # known gap of the round-35 audit: "MIETE NOVEMBER" / "MIETE DEZEMBER" were a key per month,
    # so twelve rents were twelve merchants (and the batch's per-charge codes took only the long names)
    assert [normalize_one(m)[0] for m in months] == [key] * len(months)
    assert _batch_keys(months) == [key] * len(months)
    assert normalize_descriptors(pd.Series(months), groups=pd.Series(["acct"] * len(months)))[
        "merchant_key"].tolist() == [key] * len(months)
    assert normalize_one(key)[0] == key


@pytest.mark.parametrize("raw, key", [
    ("MAY'S KITCHEN", "mays kitchen"),
    ("AUGUST STRINDBERG BUCHHANDLUNG", "august strindberg buchhandlung"),
    ("MARCH ELECTRONICS", "march electronics"),
    ("MAYO CLINIC", "mayo clinic"),
    ("ZELLE TO BILL MAY", "bill may"),           # a person, "bill" is no bill's word
    ("RENT MAY'S VAN", "rent mays van"),          # a name's possessive
    ("JUNI BLUMEN RECHNUNG", "juni blumen rechnung"),  # a month before the bill's word is a name
])
def test_a_month_word_in_a_name_stays(raw, key):
    assert normalize_one(raw)[0] == key


@pytest.mark.parametrize("raw, key", [("PUBLIX SUPER MAR 5813", "publix super mar"),
                                      ("MARS PETCARE 1234", "mars petcare")])
def test_a_month_word_before_a_store_number_stays(raw, key):
    # only a month named in full before a year is a date: "MAR" is a shop's name cut short
    assert normalize_one(raw)[0] == key


def test_a_timestamp_card_line_alone_keeps_one_key():
    # a purpose column mapped as the description: nothing but the day, the time and the card.
    # Its lines share one key; a key per day and time paired lines a year apart as yearly plans
    lines = ["2025-06-25T00:40 Debitk.1 2028-12", "2026-06-25T00:40 Debitk.1 2028-12",
             "2026-03-11T08:12 Debitk.1 2028-12"]
    assert len(set(_batch_keys(lines))) == 1
    bea = ["Betaalautomaat 14-01-2025 08:21 pasnr. 012", "Betaalautomaat 14-01-2026 08:21 pasnr. 012",
           "Betaalautomaat 03-02-2026 18:13 pasnr. 012"]
    assert set(_batch_keys(bea)) == {"betaalautomaat"}


# -- continental banks' wording ----------------------------------------------------------------

@pytest.mark.parametrize("raw, key", [
    ("Shell Deutschland GmbH//Hamburg/DE 2026-06-25T00:40 Debitk.1 2028-12", "shell deutschland"),
    ("Lidl Dienstleistung GmbH & Co. KG 2026-06-26 Debitk.12 VISA Debit", "lidl dienstleistung"),
    ("REWE Berlin-Mitte DE Karte Nr. 4871 78XX XXXX 3312 Kartenzahlung 25.06.2026", "rewe berlinmitte"),
    ("Vodafone GmbH Kd-Nr. 1234567890 Rg-Nr. 4097232672 vom 05.06.2026", "vodafone gmbh vom"),
    ("Mueller Logistik GmbH & Co. KG GEHALT 06.2026 PERS.NR. 0815", "mueller logistik"),
])
def test_card_tails_numbered_labels_and_salary_words_go(raw, key):
    assert normalize_one(raw)[0] == key


@pytest.mark.parametrize("raw, vendor", [
    ("PRLV SEPA NETFLIX INTERNATIONAL", "Netflix"),
    ("CARTE X4821 12/03 DEEZER", "Deezer"),
    ("CARTE X4821 12/03 DEEZER PARIS", "Deezer"),
    ("CB NETFLIX.COM 12/03/25", "Netflix"),
    ("PAIEMENT PAR CARTE X1234 NETFLIX 12/03", "Netflix"),
    ("PRLV SEPA GROUPE CANAL+", "Canal+"),
    ("CARTE X4821 19/06 AMAZON PRIME FR LUXEMBOURG", "Amazon Prime"),
    ("PRLV SEPA FREE MOBILE", "Free Mobile"),
    ("PRLV SEPA ORANGE SA", "Orange"),
    ("PRLV SEPA EDF clients particuliers", "EDF"),
    ("COMPRA TARJ. 5540XXXXXXXX1234 SPOTIFY P2E8A1B2C3", "Spotify"),
    ("COMPRA TARJ. 5540XXXXXXXX1234 DISNEYPLUS", "Disney+"),
    ("RECIBO NETFLIX.COM", "Netflix"),
    ("RECIBO TELEFONICA DE ESPAÑA SAU", "Movistar"),
    ("RECIBO IBERDROLA CLIENTES SAU", "Iberdrola"),
    ("ADEUDO RECIBO ENDESA ENERGIA SAU", "Endesa"),
    ("ADDEBITO SDD NETFLIX INTERNATIONAL B.V.", "Netflix"),
    ("ADDEBITO DIRETTO ENEL ENERGIA SPA", "Enel"),
    ("PAGAMENTO POS DISNEY PLUS", "Disney+"),
    ("BEA NR:XXX123 12.03.25/14.22 DEEZER", "Deezer"),
    ("SEPA Incasso algemeen doorlopend Eneco Consumenten", "Eneco"),
    ("SEPA-Lastschrift NETFLIX INTERNATIONAL B.V.", "Netflix"),
    ("FOLGELASTSCHRIFT Spotify AB", "Spotify"),
    ("Kartenzahlung Disney Plus", "Disney+"),
    ("Vattenfall Europe Sales GmbH", "Vattenfall"),
    ("Vattenfall Klantenservice N.V.", "Vattenfall"),
    ("Telekom Deutschland GmbH", "Deutsche Telekom"),
    ("Telefonica Germany GmbH + Co. OHG Kundenkonto 5001234567 Rechnung 06/2026 o2", "O2 Germany"),
])
def test_bank_words_before_the_merchant_go(matcher, raw, vendor):
    # round-35 audit: "PRLV Sepa Netflix International", "Carte Deezer", "Compra Tarj Disneyplus"
    # named no vendor, and the refund email greeted "PRLV Sepa Netflix International support"
    got = matcher.transform(pd.Series([raw])).iloc[0]
    assert got["vendor"] == vendor
    assert got["merchant"] == vendor
    for word in ("PRLV", "SEPA", "Carte", "Compra", "Recibo", "Addebito", "Lastschrift", "BEA", "Incasso"):
        assert word.lower() not in got["merchant"].lower().split()


@pytest.mark.parametrize("raw, key", [
    ("VIR RECU 5123456789 DE: CAPGEMINI TECHNOLOGY SERVICES MOTIF: SALAIRE 05/26 REF: SAL202605",
     "capgemini technology services"),
    ("VIR PERM POUR: SCI LES TILLEULS REF: LOYER APPT 12 MOTIF: LOYER", "sci les tilleuls"),
    ("PRLV SEPA ORANGE SA DE: ORANGE SA-ORANGE ID: FR89ZZZ441617 MOTIF: LIVEBOX CPT 0123456789 FACTURE 05/26 "
     "REF: OR903041595 MANDAT 1234567890ORANGE", "orange"),
    ("Empfänger: Wohnungsbau eG Berlin Kto/IBAN: DE44100500006603031441 BLZ/BIC: BELADEBEXXX Buchungstext: "
     "MIETE NR 4711-03 Ref. 13BCEC24C/55215", "wohnungsbau"),
    ("Auftraggeber: Netflix International B.V. Buchungstext: 319256137182 Netflix Monthly Subscription "
     "Ref. 21D247CC6/84407", "netflix international"),
    ("TRANSFERENCIA A JUAN GARCIA LOPEZ", "juan garcia lopez"),
    ("NOMINA TELEFONICA SOLUCIONES SA", "telefonica soluciones"),
    ("Gutschrift Arbeitgeber GmbH", "arbeitgeber"),
    ("Dauerauftrag Hausverwaltung Krause", "hausverwaltung krause"),
])
def test_labelled_counterparties_and_credits(raw, key):
    assert normalize_one(raw)[0] == key


def test_a_processors_name_in_comdirects_labels_keeps_the_purpose(matcher):
    raw = ("Auftraggeber: PayPal Europe S.a.r.l. et Cie S.C.A Buchungstext: 1039999300985/PP.5525.PP/. Spotify AB, "
           "Ihr Einkauf bei Spotify AB Ref. 123/456")
    got = matcher.transform(pd.Series([raw])).iloc[0]
    assert (got["vendor"], got["channel"]) == ("Spotify", "paypal")


@pytest.mark.parametrize("raw", [
    "NETFLIX INTERNATIONAL B.V. Glaeubiger-ID: NL41ZZZ342046050000 Mandatsreferenz: NFLXMANDATE "
    "End-to-End-Ref.: NOTPROVIDED",
    "NETFLIX INTERNATIONAL B.V. Gläubiger-ID DE98ZZZ09999999999 Mandat NFLXMANDATE",
    "EREF+NFX8061425 MREF+NFLXABC CRED+NL41ZZZ342046050000 SVWZ+NETFLIX MONATSABO",
    "PRLV SEPA NETFLIX RUM: NFLXMANDATEABC ICS: FR12ZZZ123456",
    "RECIBO NETFLIX INTERNATIONAL B.V. REF. MANDATO NFLXESMANDATO ID. ACREEDOR ES12ZZZB12345678",
    "NETFLIX INTERNATIONAL B.V. Machtigingskenmerk NFLXNLMANDATE Incassant ID NL41ZZZ342046050000",
    "ADDEBITO SDD NETFLIX INTERNATIONAL ID MANDATO NFLXITMANDATE",
])
def test_sepa_mandate_and_creditor_references_never_name_the_merchant(matcher, raw):
    got = matcher.transform(pd.Series([raw])).iloc[0]
    assert got["vendor"] == "Netflix" and got["merchant"] == "Netflix"
    key = normalize_one(raw)[0]
    for word in ("mandat", "mandato", "glaeubiger", "glaubiger", "rum", "ics", "eref", "mref", "cred", "svwz",
                 "acreedor", "machtigingskenmerk", "incassant", "nflxmandate", "notprovided"):
        assert word not in key.split()


@pytest.mark.parametrize("raw, name", [
    ("CARTE NOIRE", "Carte Noire"),          # coffee: "CARTE" is a bank's word only before a card
    ("BACARDI RUM 70CL", "Bacardi Rum 70CL"),  # rum: RUM is a mandate's label only with a colon
])
def test_names_sharing_a_bank_word(raw, name):
    assert normalize_one(raw)[1] == name


@pytest.mark.parametrize("raw, name", [
    ("CB NETFLIX.COM 12/03", "Netflix.com"),   # LCL: the day after the merchant
    ("CB CARREFOUR 14/02/26", "Carrefour"),
    ("CB 12/03 DEEZER", "Deezer"),             # the day or the card right after the word
    ("CB X1234 SPOTIFY", "Spotify"),
    ("CARTE CB NETFLIX", "Netflix"),
    ("PAIEMENT CB NETFLIX", "Netflix"),
    ("CB NETFLIX CB*1234", "Netflix"),         # the card's tail after the merchant
])
def test_lcl_card_word_goes_in_a_card_payments_shape(raw, name):
    assert normalize_one(raw)[1] == name
    assert normalize_descriptors(pd.Series([raw]))["display_name"].tolist() == [name]


@pytest.mark.parametrize("raw, name", [("CB RADIO SHOP", "CB Radio Shop"), ("CB RADIO SHOP PARIS", "CB Radio Shop"),
                                       ("CB2 AUDIO SYSTEMS", "CB2 Audio Systems")])
def test_a_name_starting_cb_keeps_it(raw, name):
    # known limit of the round-35 audit: any name starting "CB " lost it ("CB RADIO SHOP" -> "Radio Shop")
    assert normalize_one(raw)[1] == name
    assert normalize_descriptors(pd.Series([raw]))["display_name"].tolist() == [name]


# -- utilities ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Stadtwerke München", "Stadtwerke München GmbH Abschlag Strom Gas VK",
                                  "Abschlag Strom Vertragskonto", "Berliner Wasserbetriebe", "Fernwärme Wien",
                                  "Wien Energie", "Enel Energia Spa", "Eau de Paris", "Compagnie des Eaux",
                                  "Aguas de Valencia", "Gaz de Bordeaux", "Électricité de Strasbourg",
                                  "Waterbedrijf Groningen", "Stadsverwarming Purmerend", "Luce e Gas Italia"])
def test_continental_utilities_by_name(name):
    assert UTILITY_NAME.search(name)


@pytest.mark.parametrize("name", ["Energie Fitness", "Strom Sports", "Eau de Toilette Shop", "Acqua di Parma",
                                  "Power Yoga Studio", "Termijnbedrag contract", "Luz Cafe"])
def test_words_that_name_other_things_are_no_utility(name):
    assert not UTILITY_NAME.search(name)


def test_catalogue_utilities_and_telecoms(matcher):
    got = matcher.transform(pd.Series(["VATTENFALL EUROPE SALES GMBH", "IBERDROLA CLIENTES SAU", "ENGIE",
                                       "TOTALENERGIES ELECTRICITE ET GAZ FRANCE", "PRLV SEPA ORANGE SA"]))
    utility = is_utility(got["merchant"], got["vendor"])
    assert utility.tolist() == [True, True, True, True, False]  # Orange is a phone company: its prices are set


@pytest.mark.parametrize("raw", ["CARTE X4821 21/06 TOTALENERGIES MONTREUIL", "TotalEnergies Station Berlin DE",
                                 "ARAL Station 28123", "Shell Deutschland GmbH//Hamburg/DE",
                                 "COMPRA TARJ. 5540XXXXXXXX1234 REPSOL E.S. 4512 VALENCIA"])
def test_fuel_stations_stay_fuel(matcher, raw):
    # hard negatives: TotalEnergies' stations are no energy supplier, whose catalogue entry is
    # "TotalEnergies Électricité et Gaz"
    got = matcher.transform(pd.Series([raw])).iloc[0]
    assert pd.isna(got["vendor"])
    assert FUEL_STATION.search(got["merchant"]) or FUEL_STATION.search(got["merchant_key"])
    assert not is_utility(pd.Series([got["merchant"]]), pd.Series([None], dtype=object)).iloc[0]


def test_the_energy_supplier_is_no_fuel_station():
    assert not FUEL_STATION.search("TotalEnergies Électricité et Gaz")
    assert not FUEL_STATION.search("totalenergies electricite et gaz france")


def test_rent_broadcasting_fee_and_standing_orders_in_other_languages():
    assert all(HOUSING_PAYMENT.search(n) for n in ("Miete inkl NK", "Loyer", "Huur Vrolikstraat", "Alquiler piso",
                                                   "Affitto", "Hausverwaltung Krause"))
    assert GOVERNMENT_FEE.search("Rundfunk ARD ZDF DRadio") and GOVERNMENT_FEE.search("Canone Rai")
    assert all(SENT_BY_HOLDER.search(d) for d in ("DAUERAUFTRAG", "VIR PERM LOYER", "Huur periodieke overboeking",
                                                  "TRANSFERENCIA PERIÓDICA A JUAN"))


# -- accents -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, key, name", [
    ("Stadtwerke München GmbH", "stadtwerke munchen", "Stadtwerke München"),
    ("STADTWERKE MÜNCHEN GMBH", "stadtwerke munchen", "Stadtwerke München"),
    ("RECIBO MAPFRE ESPAÑA CIA SEGUROS", "mapfre espana cia seguros", "Mapfre España Cia Seguros"),
    ("CAFÉ DE FLORE PARIS", "cafe de flore", "Café DE Flore"),
    ("Bäckerei Zöllner", "backerei zollner", "Bäckerei Zöllner"),
    ("GROSSE STRASSE 5", "grosse strasse 5", "Grosse Strasse 5"),
    ("Große Straße Verlag", "grosse strasse verlag", "Große Straße Verlag"),
])
def test_names_keep_their_accents_and_keys_fold_them(raw, key, name):
    # decided in round 35: match on the folded text, show the spelling the bank wrote
    assert normalize_one(raw)[:2] == (key, name)


def test_one_key_two_spellings_shows_the_accented_one():
    df = normalize_descriptors(pd.Series(["STADTWERKE MUNCHEN GMBH", "Stadtwerke München GmbH"]))
    assert df["merchant_key"].nunique() == 1
    assert set(df["display_name"]) == {"Stadtwerke München"}


# -- per-charge codes --------------------------------------------------------------------------

def test_one_off_card_purchases_keep_their_names():
    # BBVA and Société Générale print the card before every merchant ("COMPRA TARJ. 5540XX..1234
    # <merchant>"); the card, read as the code Q0Q, was taken for a word that one-off names vary
    # after, and each one-off purchase lost its name to the code (a yearly plan paid once in the
    # statement too)
    shops = ["SPOTIFY", "DISNEYPLUS", "MERCADONA", "REPSOL", "ZARA", "DECATHLON", "IKEA", "PRIMARK"]
    forms = [f"COMPRA TARJ. Q0Q {s}" for s in shops]
    masked, rows = mask_charge_codes(forms, list(range(len(shops))))
    assert list(masked[rows]) == forms
    df = normalize_descriptors(pd.Series([f"COMPRA TARJ. 5540XXXXXXXX1234 {s}" for s in shops]))
    assert df["merchant_key"].tolist() == [s.lower() for s in shops]


def test_words_with_accents_are_not_codes():
    # a one-off "MÜNCHEN" was "M" and a code "NCHEN" ("Stadtwerke MüQ0Q")
    lines = ["CAFE MÜNCHEN", "CAFE MÄRKLIN", "CAFE MÜHLENBERG", "CAFE GÖTTINGEN"]
    masked, rows = mask_charge_codes(lines, list(range(len(lines))))
    assert list(masked[rows]) == lines
    df = normalize_descriptors(pd.Series(lines))
    assert df["display_name"].tolist() == ["Cafe München", "Cafe Märklin", "Cafe Mühlenberg", "Cafe Göttingen"]
