"""Each bank layout, from a small inline file with the bank's real header.

Every case checks detection (no --format), the row count, ISO dates, canonical signs (negative =
money out) and the descriptions exactly as written.
"""

from __future__ import annotations

import pytest

from detector.importers import read_statement
from detector.schema import TRANSACTION_COLUMNS


def write(tmp_path, name, text, encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


CASES = {
    "generic": (
        "generic.csv",
        "account_id,transaction_id,date,description,amount,currency\n"
        "acc1,t1,2024-01-05,NETFLIX.COM,-15.49,USD\n"
        "acc1,t2,2024-01-06,PAYROLL,2000.00,USD\n",
        [("2024-01-05", -15.49, "NETFLIX.COM"), ("2024-01-06", 2000.0, "PAYROLL")],
    ),
    "chase_card": (
        "Chase1234_Activity.CSV",
        "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
        "01/16/2024,01/17/2024,NETFLIX.COM,Entertainment,Sale,-15.49,\n"
        "01/15/2024,01/15/2024,Payment Thank You-Mobile,,Payment,500.00,\n"
        "01/14/2024,01/16/2024,AMZN Mktp US*RT4K92LX1,Shopping,Return,12.99,\n",
        [("2024-01-16", -15.49, "NETFLIX.COM"), ("2024-01-15", 500.0, "Payment Thank You-Mobile"),
         ("2024-01-14", 12.99, "AMZN Mktp US*RT4K92LX1")],
    ),
    "chase_checking": (
        "chase_checking.csv",
        "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n"
        "DEBIT,12/01/2025,\"ZELLE PAYMENT TO JOHN 123456789\",-16.00,QUICKPAY_DEBIT, ,,\n"
        "CREDIT,11/28/2025,\"ACME PAYROLL PPD ID: 1234\",2150.00,ACH_CREDIT,51362.79,,\n",
        [("2025-12-01", -16.0, "ZELLE PAYMENT TO JOHN 123456789"), ("2025-11-28", 2150.0, "ACME PAYROLL PPD ID: 1234")],
    ),
    "bofa_checking": (
        "stmt.csv",
        "Description,,Summary Amt.\n"
        "Beginning balance as of 01/01/2025,,\"1,300.00\"\n"
        "Total credits,,\"3,350.00\"\n"
        "Total debits,,\"-2,239.98\"\n"
        "Ending balance as of 01/31/2025,,\"2,410.02\"\n"
        "\n"
        "Date,Description,Amount,Running Bal.\n"
        "01/01/2025,Beginning balance as of 01/01/2025,,\"1,300.00\"\n"
        "01/06/2025,\"HANMI BANK DES:ZELLE ID:XXXXX\",\"1,000.00\",\"2,300.00\"\n"
        "01/27/2025,\"BKOFAMERICA ATM 01/25 #XXXXX4905 WITHDRWL\",\"-150.00\",\"2,150.00\"\n",
        [("2025-01-06", 1000.0, "HANMI BANK DES:ZELLE ID:XXXXX"),
         ("2025-01-27", -150.0, "BKOFAMERICA ATM 01/25 #XXXXX4905 WITHDRWL")],
    ),
    "bofa_card": (
        "bofa_card.csv",
        "Posted Date,Reference Number,Payee,Address,Amount\n"
        "03/04/2024,24692164064100123456789,\"SPOTIFY USA\",\"NEW YORK NY \",-11.99\n"
        "03/01/2024,24011344061200987654321,\"PAYMENT - THANK YOU\",\"\",250.00\n",
        [("2024-03-04", -11.99, "SPOTIFY USA"), ("2024-03-01", 250.0, "PAYMENT - THANK YOU")],
    ),
    "wells_fargo": (
        "Checking1.csv",
        '"06/28/2025","-400.00","*","","AMEX EPAYMENT ACH PMT"\n'
        '"06/20/2025","2150.00","*","","ACME CORP PAYROLL"\n',
        [("2025-06-28", -400.0, "AMEX EPAYMENT ACH PMT"), ("2025-06-20", 2150.0, "ACME CORP PAYROLL")],
    ),
    "capital_one": (
        "2024-06-01_transaction_download.csv",
        "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n"
        "2024-05-30,2024-05-31,5158,PLANET FITNESS,Health Care,24.99,\n"
        "2024-05-28,2024-05-28,5158,CAPITAL ONE MOBILE PYMT,Payment/Credit,,250.00\n",
        [("2024-05-30", -24.99, "PLANET FITNESS"), ("2024-05-28", 250.0, "CAPITAL ONE MOBILE PYMT")],
    ),
    "amex": (
        "activity.csv",
        "Date,Description,Card Member,Account #,Amount\n"
        "11/20/2024,ADOBE *ADOBE 408-536-6000 CA,ALEX MORGAN,-71003,263.88\n"
        "11/18/2024,ONLINE PAYMENT - THANK YOU,ALEX MORGAN,-71003,-400.00\n",
        [("2024-11-20", -263.88, "ADOBE *ADOBE 408-536-6000 CA"), ("2024-11-18", 400.0, "ONLINE PAYMENT - THANK YOU")],
    ),
    # Amex UK "Statements & Activity" CSV (header as in public UK Amex importers: Town/City,
    # Postcode where the US export has City/State, Zip Code); day-first dates, GBP.
    "amex_uk": (
        "activity.csv",
        "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,Town/City,Postcode,"
        "Country,Reference,Category\n"
        "14/06/2025,NETFLIX.COM,12.99,,NETFLIX.COM,1 HIGH ST,LONDON,EC1A 1BB,UNITED KINGDOM OF GB AND NI,"
        "'AT251650043000010826778',Entertainment-Other\n"
        "04/06/2025,SPOTIFY,11.99,,SPOTIFY,1 HIGH ST,LONDON,EC1A 1BB,UNITED KINGDOM OF GB AND NI,"
        "'AT251550043000010826780',Entertainment-Other\n"
        "02/06/2025,PAYMENT RECEIVED - THANK YOU,-400.00,,,,,,,'AT251530043000010826781',\n",
        [("2025-06-14", -12.99, "NETFLIX.COM"), ("2025-06-04", -11.99, "SPOTIFY"),
         ("2025-06-02", 400.0, "PAYMENT RECEIVED - THANK YOU")],
    ),
    "citi": (
        "citi.csv",
        "Status,Date,Description,Debit,Credit,Member Name\n"
        "Cleared,12/31/2025,\"RESTAURANT DEPOT TORRANCE CA\",80.68,,JANE DOE\n"
        "Cleared,12/28/2025,\"COSTCO WHSE #1202 TORRANCE CA\",,-165.35,JANE DOE\n",
        [("2025-12-31", -80.68, "RESTAURANT DEPOT TORRANCE CA"),
         ("2025-12-28", 165.35, "COSTCO WHSE #1202 TORRANCE CA")],
    ),
    "discover": (
        "Discover-Statement.csv",
        "Trans. Date,Post Date,Description,Amount,Category\n"
        "10/24/2022,10/24/2022,\"PRIME VIDEO *H86AC1J92 888-802-3080 WA\",5.99,\"Services\"\n"
        "10/25/2022,10/26/2022,\"DIRECTPAY FULL BALANCE\",-250.00,\"Payments and Credits\"\n",
        [("2022-10-24", -5.99, "PRIME VIDEO *H86AC1J92 888-802-3080 WA"),
         ("2022-10-25", 250.0, "DIRECTPAY FULL BALANCE")],
    ),
    "monzo": (
        "MonzoDataExport.csv",
        "Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,"
        "Notes and #tags,Address,Receipt,Description,Category split,Money Out,Money In\n"
        "tx_0000AbC,11/07/2023,08:24:44,Card payment,Netflix,,entertainment,-10.99,GBP,-10.99,GBP,,,,"
        "NETFLIX.COM AMSTERDAM NLD,,10.99,\n"
        "tx_0000DeF,28/07/2023,09:00:00,Faster payment,Employer,,income,2480.00,GBP,2480.00,GBP,,,,,,,2480.00\n"
        # money into one's own pot: the description says so (it was a 200.00 "subscription")
        "tx_0000GhI,28/07/2023,09:05:00,Pot transfer,Savings,,savings,-200.00,GBP,-200.00,GBP,,,,"
        "pot_0000AbC,,200.00,\n",
        [("2023-07-11", -10.99, "NETFLIX.COM AMSTERDAM NLD"), ("2023-07-28", 2480.0, "Employer"),
         ("2023-07-28", -200.0, "Pot transfer: pot_0000AbC")],
    ),
    "revolut": (
        "account-statement_2024-01-01_2024-01-31_en_abc123.csv",
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"
        "CARD_PAYMENT,Current,2024-01-03 10:12:33,2024-01-04 09:01:02,Spotify,-10.99,0.00,EUR,COMPLETED,989.01\n"
        "TOPUP,Current,2024-01-05 11:00:00,2024-01-05 11:00:05,Top-Up by *1234,100.00,0.00,EUR,COMPLETED,1089.01\n"
        "EXCHANGE,Current,2024-01-06 12:00:00,2024-01-06 12:00:01,Exchanged to USD,-50.00,0.25,EUR,COMPLETED,1038.76\n",
        [("2024-01-04", -10.99, "Spotify"), ("2024-01-05", 100.0, "Top-Up by *1234"),
         ("2024-01-06", -50.25, "Exchanged to USD")],
    ),
    "starling": (
        "StarlingStatement_2024-01.csv",
        "Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes\n"
        "02/01/2024,Disney Plus,DISNEY PLUS,CARD PAYMENT,-7.99,1492.01,ENTERTAINMENT,\n"
        "25/01/2024,Employer Ltd,SALARY JAN,FASTER PAYMENT,2100.00,3592.01,INCOME,\n",
        [("2024-01-02", -7.99, "Disney Plus"), ("2024-01-25", 2100.0, "Employer Ltd")],
    ),
    "n26": (
        "n26-csv-transactions.csv",
        '"Booking Date","Value Date","Partner Name","Partner Iban",Type,"Payment Reference","Account Name",'
        '"Amount (EUR)","Original Amount","Original Currency","Exchange Rate"\n'
        '2024-03-01,2024-03-01,"NETFLIX.COM",,Presentment,-,"Main Account",-13.99,,,\n'
        '2024-03-25,2024-03-25,"ACME GmbH",DE89370400440532013000,Credit Transfer,"Gehalt","Main Account",2900.00,,,\n',
        [("2024-03-01", -13.99, "NETFLIX.COM"), ("2024-03-25", 2900.0, "ACME GmbH")],
    ),
    # Wise's statement CSV, one file per currency (round-thirty audit: no layout read it, and the
    # suggested description=Description named every card merchant "Card transaction of issued by")
    "wise": (
        "statement_31415926_EUR_2024-07-01_2025-06-30.csv",
        '"TransferWise ID",Date,Amount,Currency,Description,"Payment Reference","Running Balance","Exchange From",'
        '"Exchange To","Exchange Rate","Payer Name","Payee Name","Payee Account Number",Merchant,'
        '"Card Last Four Digits","Card Holder Full Name",Attachment,Note,"Total fees","Exchange To Amount"\n'
        'CARD-1000001,05-07-2024,-9.99,EUR,"Card transaction of 9.99 EUR issued by Deezer Paris",,990.01,,,,,,,'
        '"Deezer Paris",4821,"ALEX MORGAN",,,0.00,\n'
        'TRANSFER-1000002,10-07-2024,500.00,EUR,"Received money from ACME GMBH with reference Salary",Salary,1490.01,'
        ',,,"ACME GMBH",,,,,,,,0.00,\n'
        'CARD-1000003,18-07-2024,-5.40,EUR,"Card transaction of 5.00 USD issued by Paypal *substack 35314369001",,'
        '1484.61,EUR,USD,0.926,,,,"Paypal *substack 35314369001",4821,"ALEX MORGAN",,,0.00,5.00\n',
        [("2024-07-05", -9.99, "Deezer Paris"),
         ("2024-07-10", 500.0, "Received money from ACME GMBH with reference Salary"),
         ("2024-07-18", -5.4, "Paypal *substack 35314369001")],
    ),
    "barclays": (
        "data.csv",
        "Number,Date,Account,Amount,Subcategory,Memo\n"
        ",04/07/2023,20-32-06 13152170,-11.99,Debit,SPOTIFY                 ON 04 JUL          BCC\n"
        ",25/07/2023,20-32-06 13152170,2210.00,Counter Credit,HARBOUR LTD SALARY\n",
        [("2023-07-04", -11.99, "SPOTIFY                 ON 04 JUL          BCC"),
         ("2023-07-25", 2210.0, "HARBOUR LTD SALARY")],
    ),
    "ing_nl": (
        "NL12INGB0001234567_01-01-2024_31-01-2024.csv",
        '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";'
        '"Mutatiesoort";"Mededelingen";"Saldo na mutatie";"Tag"\n'
        '"20240109";"Netflix International B.V.";"NL12INGB0001234567";"";"BA";"Af";"13,49";"Betaalautomaat";'
        '"Pasvolgnr: 004";"1.986,51";""\n'
        '"20240124";"Werkgever B.V.";"NL12INGB0001234567";"NL91ABNA0417164300";"OV";"Bij";"3.150,00";'
        '"Overschrijving";"Salaris";"5.136,51";""\n',
        [("2024-01-09", -13.49, "Netflix International B.V."), ("2024-01-24", 3150.0, "Werkgever B.V.")],
    ),
    # Nationwide (UK) "Statement Download YYYY-Mon-DD HH-MM-SS.csv": an account preamble, a blank
    # line, then the table (header as in public Nationwide parsers; CRLF in the download)
    "nationwide": (
        "Statement Download 2025-Jun-30 10-15-02.csv",
        '"Account Name:","FlexAccount ****01234"\n'
        '"Account Balance:","\u00a324,438.86"\n'
        '"Available Balance: ","\u00a324,438.86"\n'
        "\n"
        '"Date","Transaction type","Description","Paid out","Paid in","Balance"\n'
        '"03 Jun 2024","Visa purchase","Spotify P2A4F1C3E2","\u00a310.99","","\u00a31,575.72"\n'
        '"28 Jun 2024","Bank credit ACME LTD","ACME LTD SALARY","","\u00a32,650.00","\u00a34,225.72"\n',
        [("2024-06-03", -10.99, "Spotify P2A4F1C3E2"), ("2024-06-28", 2650.0, "ACME LTD SALARY")],
    ),
    # Mint's transactions.csv (header as in public Mint importers): amounts all positive, the way
    # they went in Transaction Type; the bank's descriptor in Original Description
    "mint": (
        "transactions.csv",
        '"Date","Description","Original Description","Amount","Transaction Type","Category","Account Name",'
        '"Labels","Notes"\n'
        '"6/15/2025","Netflix","NETFLIX.COM NETFLIX.COM CA","15.49","debit","Movies & DVDs","Chase Freedom","",""\n'
        '"6/02/2025","Credit Card Payment","AUTOPAY PAYMENT - THANK YOU","657.73","credit","Credit Card Payment",'
        '"Chase Freedom","",""\n',
        [("2025-06-15", -15.49, "NETFLIX.COM NETFLIX.COM CA"), ("2025-06-02", 657.73, "AUTOPAY PAYMENT - THANK YOU")],
    ),
    # Commonwealth Bank (Australia) NetBank "CSVData.csv": no header row; date, amount (with its
    # sign), description, balance (round-twenty-four audit: no layout read it)
    "commbank": (
        "CSVData.csv",
        '28/06/2025,"+6200.00","ACME PTY LTD SALARY","+10200.00"\n'
        '27/06/2025,"-28.29","AMAZON AU MARKETPLACE AUS Card xx4412 Value Date: 25/06/2025","+4000.00"\n'
        '07/06/2025,"-18.99","NETFLIX.COM SYDNEY AUS Card xx4412 Value Date: 05/06/2025","+4146.00"\n',
        [("2025-06-28", 6200.0, "ACME PTY LTD SALARY"),
         ("2025-06-27", -28.29, "AMAZON AU MARKETPLACE AUS Card xx4412 Value Date: 25/06/2025"),
         ("2025-06-07", -18.99, "NETFLIX.COM SYDNEY AUS Card xx4412 Value Date: 05/06/2025")],
    ),
    # TD Canada Trust (EasyWeb accountactivity.csv): no header; date, description, withdrawal,
    # deposit, balance (round-forty-one audit: the suggestion made every charge money in)
    "td": (
        "accountactivity.csv",
        "03/03/2025,CRAVE,22.00,,3098.55\n"
        "03/14/2025,ACME CORP PAY,,2150.00,5248.55\n"
        "03/16/2025,NETFLIX.COM,16.49,,5232.06\n",
        [("2025-03-03", -22.0, "CRAVE"), ("2025-03-14", 2150.0, "ACME CORP PAY"),
         ("2025-03-16", -16.49, "NETFLIX.COM")],
    ),
    # RBC Royal Bank (Canada): a card purchase names its merchant in Description 2 (round-twenty-four
    # audit: mapped as suggested, description=Description 1, every merchant was lost)
    "rbc": (
        "csv92375.csv",
        '"Account Type","Account Number","Transaction Date","Cheque Number","Description 1","Description 2",'
        '"CAD$","USD$"\n'
        'Chequing,01234-5012345,1/7/2025,,"VISA DEBIT PURCHASE - 1234","NETFLIX.COM",-18.99,\n'
        'Chequing,01234-5012345,1/15/2025,,"Payroll Deposit","ACME INC",2150.00,\n'
        'Chequing,01234-5012345,1/31/2025,,"MONTHLY FEE",,-4.00,\n',
        [("2025-01-07", -18.99, "VISA DEBIT PURCHASE - 1234 NETFLIX.COM"),
         ("2025-01-15", 2150.0, "Payroll Deposit ACME INC"), ("2025-01-31", -4.0, "MONTHLY FEE")],
    ),
    # DKB (Germany) Girokonto, the 2023 export: an account preamble, the payer and the payee of each
    # row (the account holder pays every charge and is paid every salary: round-thirty-five audit)
    "dkb": (
        "DKB_Umsaetze_Girokonto_20250101-20250131.csv",
        '\ufeff"Girokonto";"DE27 1203 0000 1064 5068 34"\n""\n"Kontostand vom 31.01.2025:";"2.417,83 \u20ac"\n""\n'
        '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";"Zahlungsempf\u00e4nger*in";"Verwendungszweck";'
        '"Umsatztyp";"IBAN";"Betrag (\u20ac)";"Gl\u00e4ubiger-ID";"Mandatsreferenz";"Kundenreferenz"\n'
        '"29.01.25";"29.01.25";"Gebucht";"ACME Software GmbH";"Jonas Becker";"LOHN/GEHALT 01/2025";"Eingang";'
        '"DE44500105175407324931";"3.251,40";"";"";""\n'
        '"22.01.25";"22.01.25";"Gebucht";"Jonas Becker";"Vodafone GmbH";"Kd-Nr. 1234567890 Rg-Nr. 4097232672";'
        '"Ausgang";"DE13300700100400700700";"-39,99";"DE97ZZZ00000219312";"VF1234567890M01";""\n',
        [("2025-01-29", 3251.4, "ACME Software GmbH"), ("2025-01-22", -39.99, "Vodafone GmbH")],
    ),
    "dkb_card": (
        "DKB_Umsaetze_Kreditkarte.csv",
        '"Karte";"Visa Kreditkarte";"4930 **** **** 1234"\n""\n"Saldo vom 31.01.2025:";"-125,30 \u20ac"\n""\n'
        '"Belegdatum";"Wertstellung";"Status";"Beschreibung";"Umsatztyp";"Betrag (\u20ac)";"Fremdw\u00e4hrungsbetrag"\n'
        '"16.01.25";"17.01.25";"Gebucht";"NETFLIX.COM";"Im Gesch\u00e4ft";"-13,99";""\n'
        '"20.01.25";"20.01.25";"Gebucht";"Ausgleich Kreditkarte";"Gutschrift";"125,30";""\n',
        [("2025-01-16", -13.99, "NETFLIX.COM"), ("2025-01-20", 125.3, "Ausgleich Kreditkarte")],
    ),
    # Sparkasse (Germany) CSV-CAMT V2: the counterparty, not the Verwendungszweck (a card payment's
    # is "2026-06-25T00:40 Debitk.1 2028-12": round-thirty-five audit)
    "sparkasse": (
        "20250131-123456789-umsatz.CSV",
        '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";"Glaeubiger ID";'
        '"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";"Lastschrift Ursprungsbetrag";'
        '"Auslagenersatz Ruecklastschrift";"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";'
        '"BIC (SWIFT-Code)";"Betrag";"Waehrung";"Info"\n'
        '"DE12500500000123456789";"25.01.25";"25.01.25";"KARTENZAHLUNG";"2025-01-25T00:40 Debitk.1 2028-12";"";"";'
        '"692397296448499";"";"";"";"Shell Deutschland GmbH//Hamburg/DE";"DE00000000000000000000";"";"-50,72";"EUR";'
        '"Umsatz gebucht"\n'
        '"DE12500500000123456789";"07.01.25";"07.01.25";"FOLGELASTSCHRIFT";'
        '"7101326064133/PP.5525.PP/. Spotify AB, Ihr Einkauf bei Spotify AB";"LU96ZZZ0000000000000000058";'
        '"4FUJ224J5KNRC";"1039445853050 PP.5525.PP PAYPAL";"";"";"";"PayPal Europe S.a.r.l. et Cie S.C.A";'
        '"LU89751000135104200E";"PPLXLUL2";"-11,99";"EUR";"Umsatz gebucht"\n',
        [("2025-01-25", -50.72, "Shell Deutschland GmbH//Hamburg/DE"),
         ("2025-01-07", -11.99, "PayPal Europe S.a.r.l. et Cie S.C.A 7101326064133/PP.5525.PP/. Spotify AB, "
                                "Ihr Einkauf bei Spotify AB")],
    ),
    # comdirect (Germany): a preamble, every line ending in ";", the counterparty and purpose behind
    # labels in Buchungstext (round-thirty-five audit)
    "comdirect": (
        "umsaetze_9787654321_20250131-1512.csv",
        ';\n"Ums\u00e4tze Girokonto";"Zeitraum: 01.01.2025 - 31.01.2025";\n"Neuer Kontostand";"6.214,07 EUR";\n\n'
        '"Buchungstag";"Wertstellung (Valuta)";"Vorgang";"Buchungstext";"Umsatz in EUR";\n'
        '"22.01.2025";"22.01.2025";"Visa-Umsatz";"AUDIBLE GMBH AUDIBLE.DE DE Karte Nr. 4871 78XX XXXX 3312 '
        'Kartenzahlung 22.01.2025";"-9,95";\n'
        '"15.01.2025";"15.01.2025";"Lastschrift / Belastung";"Auftraggeber: Netflix International B.V. '
        'Buchungstext: 319256137182 Netflix Monthly Subscription Ref. 21D247CC6/84407";"-19,99";\n'
        '"01.01.2025";"01.01.2025";"Dauerauftrag";"Empf\u00e4nger: Wohnungsbau eG Berlin Kto/IBAN: '
        'DE44100500006603031441 BLZ/BIC: BELADEBEXXX Buchungstext: MIETE NR 4711-03 Ref. F990F070/87875";"-1.125,00";\n',
        [("2025-01-22", -9.95, "AUDIBLE GMBH AUDIBLE.DE DE"), ("2025-01-15", -19.99, "Netflix International B.V."),
         ("2025-01-01", -1125.0, "Wohnungsbau eG Berlin")],
    ),
    "comdirect_visa": (
        "umsaetze_4871_20250131-1512.csv",
        ';\n"Ums\u00e4tze Visa-Karte (Kreditkarte)";"Zeitraum: 01.01.2025 - 31.01.2025";\n'
        '"Neuer Kontostand";"-24,94 EUR";\n\n'
        '"Buchungstag";"Umsatztag";"Vorgang";"Referenz";"Buchungstext";"Umsatz in EUR";\n'
        '"17.01.2025";"16.01.2025";"Visa-Kartenabrechnung";"74638920166";"SPOTIFY P2E8A1B2C3 STOCKHOLM";"-10,99";\n'
        '"10.01.2025";"09.01.2025";"Visa-Kartenabrechnung";"74638920101";"NETFLIX.COM";"-13,95";\n',
        [("2025-01-16", -10.99, "SPOTIFY P2E8A1B2C3 STOCKHOLM"), ("2025-01-09", -13.95, "NETFLIX.COM")],
    ),
    # N26's German export (round-thirty-five audit: refused, the n26 layout knew English headers only)
    "n26_de": (
        "n26-csv-transactions.csv",
        '"Datum","Empf\u00e4nger","Kontonummer","Transaktionstyp","Verwendungszweck","Kategorie","Betrag (EUR)",'
        '"Betrag (Fremdw\u00e4hrung)","Fremdw\u00e4hrung","Wechselkurs"\n'
        '"2025-01-09","NETFLIX.COM","","MasterCard Zahlung","","Medien & Elektronik","-13.99","","",""\n'
        '"2025-01-27","Zalando SE","DE31100400000526606300","Gutschrift","Gehalt 01/2025","Gehalt","3480.00","","",""\n',
        [("2025-01-09", -13.99, "NETFLIX.COM"), ("2025-01-27", 3480.0, "Zalando SE")],
    ),
    # Rabobank (Netherlands): Naam tegenpartij, not the Omschrijving lines (round-thirty-five audit)
    "rabobank": (
        "CSV_A_NL91RABO0315273637_EUR_20250101_20250131.csv",
        '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn","Tegenrekening IBAN/BBAN",'
        '"Naam tegenpartij","Naam uiteindelijke partij","Naam initi\u00ebrende partij","BIC tegenpartij","Code",'
        '"Batch ID","Transactiereferentie","Machtigingskenmerk","Incassant ID","Betalingskenmerk","Omschrijving-1",'
        '"Omschrijving-2","Omschrijving-3","Reden retour","Oorspr bedrag","Oorspr munt","Koers"\n'
        '"NL91RABO0315273637","EUR","RABONL2U","000000000000000004","2025-01-09","2025-01-09","-29,99","+2719,01",'
        '"NL29ABNA0501234567","Basic-Fit Nederland B.V.","","","","ei","","","BFN7712345","NL11ZZZ341234560000","",'
        '"Lidmaatschap 4 weken lidnr 7712345","","","","","",""\n'
        '"NL91RABO0315273637","EUR","RABONL2U","000000000000000005","2025-01-24","2025-01-24","+3340,18","+6059,19",'
        '"NL20INGB0001234567","Booking.com B.V.","","","","cb","","","","","","Salaris 01-2025","","","","","",""\n',
        [("2025-01-09", -29.99, "Basic-Fit Nederland B.V."), ("2025-01-24", 3340.18, "Booking.com B.V.")],
    ),
    # ABN AMRO (Netherlands) .TAB: no header; the amount is the seventh field, not the opening balance
    # of the fourth (round-thirty-five audit: the suggestion mapped that balance)
    "abnamro_tab": (
        "TXT250131123456.TAB",
        "512345678\tEUR\t20250102\t3000,00\t2934,04\t20250102\t-65,96\tBEA, Betaalpas                   "
        "Albert Heijn 1403,PAS123        NR:529940, 02.01.25/16:49      AMSTERDAM\n"
        "512345678\tEUR\t20250110\t2934,04\t2920,05\t20250110\t-13,99\tSEPA Incasso algemeen doorlopend Incassant: "
        "NL41ZZZ342046050000  Naam: Netflix International B.V.  Machtiging: NFLX-NL-994411  Omschrijving: "
        "145740997382 Netflix Monthly Subscription  IBAN: NL06RABO0332224561\n"
        "512345678\tEUR\t20250123\t2920,05\t5810,05\t20250123\t2890,00\t/TRTP/SEPA OVERBOEKING/IBAN/NL02ABNA0123456789"
        "/BIC/ABNANL2A/NAME/Coolblue B.V./REMI/Salaris 01-2025/EREF/NOTPROVIDED\n",
        [("2025-01-02", -65.96, "Albert Heijn 1403"), ("2025-01-10", -13.99, "Netflix International B.V."),
         ("2025-01-23", 2890.0, "Coolblue B.V.")],
    ),
    # Societe Generale (France): the Detail's "DE:" name for a direct debit, the Detail for a card
    "socgen": (
        "00050123456.csv",
        '="000501234567";01/01/2025;31/01/2025;50;31/01/2025;2743,29 EUR\n\n'
        "Date de l'op\u00e9ration;Libell\u00e9;D\u00e9tail de l'\u00e9criture;Montant de l'op\u00e9ration;Devise\n"
        "16/01/2025;PRLV SEPA EDF clients particuliers;PRLV SEPA EDF clients particuliers DE: EDF clients "
        "particuliers ID: FR50ZZZ000020 MOTIF: MENSUALITE 01/2025 CPT 6001234567 REF: EDF451255869 MANDAT "
        "++6001234567;-78,00;EUR\n"
        "04/01/2025;CARTE X4821 03/01 DEEZER;CARTE X4821 03/01 DEEZER PARIS;-11,99;EUR\n",
        [("2025-01-16", -78.0, "EDF clients particuliers"), ("2025-01-04", -11.99, "CARTE X4821 03/01 DEEZER PARIS")],
    ),
    # BBVA (Spain): a preamble, two Divisa columns (the first is the amount's)
    "bbva": (
        "ES0182_movimientos_cuenta.csv",
        "\u00daltimos movimientos;;;;;;;;\n;;;;;;;;\n"
        "Fecha;Fecha valor;Concepto;Movimiento;Importe;Divisa;Disponible;Divisa;Observaciones\n"
        "29/01/2025;29/01/2025;NOMINA TELEFONICA SOLUCIONES SA;N\u00f3mina;2.410,55;EUR;5.400,00;EUR;NOMINA 01/2025\n"
        "08/01/2025;08/01/2025;RECIBO NETFLIX.COM;Adeudo recibo;-13,99;EUR;2.989,45;EUR;NETFLIX INTERNATIONAL B.V.\n",
        [("2025-01-29", 2410.55, "NOMINA TELEFONICA SOLUCIONES SA"), ("2025-01-08", -13.99, "RECIBO NETFLIX.COM")],
    ),
    "apple_card": (
        "Apple Card Transactions - November 2025.csv",
        "Transaction Date,Clearing Date,Description,Merchant,Category,Type,Amount (USD),Purchased By\n"
        "11/27/2025,11/28/2025,OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA,OpenAI,Other,Purchase,20.00,Jordan Reyes\n"
        "11/25/2025,11/26/2025,ACH DEPOSIT INTERNET TRANSFER FROM ACCOUNT ENDING IN 4821,Ach Deposit Internet Transfer,"
        "Payment,Payment,-1304.18,Jordan Reyes\n"
        "07/02/2025,07/03/2025,CHIPOTLE 1893 COLUMBUS OH USA,Chipotle,Restaurants,Credit,-18.40,Jordan Reyes\n",
        [("2025-11-27", -20.0, "OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA"),
         ("2025-11-25", 1304.18, "Own transfer: ACH DEPOSIT INTERNET TRANSFER FROM ACCOUNT ENDING IN 4821"),
         ("2025-07-02", 18.4, "CHIPOTLE 1893 COLUMBUS OH USA")],
    ),
    "venmo": (
        "VenmoStatement_2025_01.csv",
        "Account Statement - (@Jordan-Reyes-7) ,,,,,,,,,,,,,,,,,,,,,\n"
        "Account Activity,,,,,,,,,,,,,,,,,,,,,\n"
        ",ID,Datetime,Type,Status,Note,From,To,Amount (total),Amount (tip),Amount (tax),Amount (fee),Tax Rate,"
        "Tax Exempt,Funding Source,Destination,Beginning Balance,Ending Balance,Statement Period Venmo Fees,"
        "Terminal Location,Year to Date Venmo Fees,Disclaimer\n"
        ",,,,,,,,,,,,,,,,$18.15,,,,,\n"
        ",4156000000000174279,2025-01-02T18:43:08,Payment,Complete,wifi + power,Jordan Reyes,Sam Patel,- $62.50,,0,,0,,"
        "Chase Visa Debit *4821,,,,,Venmo,,\n"
        ",4156000000000182613,2025-01-15T09:01:30,Charge,Complete,netflix,Jordan Reyes,Ana Reyes,+ $6.00,,0,,0,,,,,,,Venmo,,\n"
        ",4156000000000182700,2025-01-16T09:01:30,Charge,Complete,pizza,Ana Reyes,Jordan Reyes,- $9.00,,0,,0,,"
        "Venmo balance,,,,,Venmo,,\n"
        ",4156000000000182800,2025-01-20T10:00:00,Payment,Complete,rent share,Ana Reyes,Jordan Reyes,+ $40.00,,0,,0,,"
        ",Venmo balance,,,,Venmo,,\n"
        ",4156000000000190900,2025-01-25T12:00:00,Standard Transfer,Issued,,,,- $30.00,,0,,0,,,Chase Checking *4821,,,,"
        "Venmo,,\n"
        ",4156000000000190872,2025-01-23T12:30:00,Merchant Transaction,Complete,,Jordan Reyes,Grubhub,- $21.93,,0,,0,,"
        "Venmo balance,,,,,Venmo,,\n",
        [("2025-01-02", -62.5, "Sam Patel"), ("2025-01-15", 6.0, "Ana Reyes"), ("2025-01-16", -9.0, "Ana Reyes"),
         ("2025-01-20", 40.0, "Ana Reyes"), ("2025-01-25", -30.0, "Own transfer: Standard Transfer"),
         ("2025-01-23", -21.93, "Grubhub")],
    ),
    "cash_app": (
        "cash_app_report_1764600000000.csv",
        '"Transaction ID","Date","Transaction Type","Currency","Amount","Fee","Net Amount","Asset Type","Asset Price",'
        '"Asset Amount","Status","Notes","Name of sender/receiver","Account"\n'
        '"unefsg","2025-11-27 22:29:46 EST","Cash Card Debit","USD","-$20","$0","-$20","","","","CARD CHARGED",'
        '"OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA","","Visa Debit 0987"\n'
        '"8knmbz","2025-11-25 10:10:53 EST","Deposits","USD","$1,575.75","$0","$1,575.75","","","","DEPOSITED","","",'
        '"Your Chase Checking 4821"\n'
        '"p2p202510","2025-10-02 18:00:00 EDT","Sent P2P","USD","-$62.50","$0","-$62.50","","","","PAYMENT SENT",'
        '"wifi + power","Sam Patel","Visa Debit 0987"\n',
        [("2025-11-27", -20.0, "OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA"),
         ("2025-11-25", 1575.75, "Own transfer: Deposits"), ("2025-10-02", -62.5, "Sam Patel")],
    ),
    "schwab_checking": (
        "Checking_XXX567_Transactions_20251201-091512.csv",
        '"Date","Status","Type","CheckNumber","Description","Withdrawal","Deposit","RunningBalance"\n'
        '"11/27/2025","Posted","VISA","","OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA","$20.00","","$4,210.55"\n'
        '"11/26/2025","Posted","ACH","","ACME LOGISTICS PAYROLL","","$2,145.33","$4,230.55"\n',
        [("2025-11-27", -20.0, "OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA"),
         ("2025-11-26", 2145.33, "ACME LOGISTICS PAYROLL")],
    ),
    "usaa": (
        "bk_download_2025-11-30.csv",
        "Date,Description,Original Description,Category,Amount,Status\n"
        "2025-10-15,Netflix,NETFLIX.COM 866-579-7172 CA,Entertainment,-17.99,Posted\n"
        "2025-10-10,Transfer,TRANSFER TO SAVINGS,Transfer,-300.00,Posted\n"
        "2025-10-09,Acme Logistics,,Income,2145.33,Posted\n",
        [("2025-10-15", -17.99, "NETFLIX.COM 866-579-7172 CA"), ("2025-10-10", -300.0, "TRANSFER TO SAVINGS"),
         ("2025-10-09", 2145.33, "Acme Logistics")],
    ),
    "paypal": (
        "Download.CSV",
        '\ufeff"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
        '"To Email Address","Transaction ID","Shipping and Handling Amount","Reference Txn ID","Balance","Balance Impact"\n'
        '"08/03/2024","08:00:00","PDT","Spotify USA Inc","PreApproved Payment Bill User Payment","Completed","USD",'
        '"-11.99","0.00","-11.99","jordan@example.com","billing@spotify.com","F3784R6JDET5HDSH1","","","-11.99","Debit"\n'
        '"08/03/2024","08:00:00","PDT","","General Card Deposit","Completed","USD","11.99","0.00","11.99","",'
        '"jordan@example.com","F3784R6JDET5HDSH2","","F3784R6JDET5HDSH1","0.00","Credit"\n',
        [("2024-08-03", -11.99, "Spotify USA Inc"), ("2024-08-03", 11.99, "Own transfer: General Card Deposit")],
    ),
}


@pytest.mark.parametrize("layout", sorted(CASES))
def test_layout_is_detected_and_read(tmp_path, layout):
    name, text, expected = CASES[layout]
    st = read_statement(write(tmp_path, name, text))
    assert st.format == layout
    df = st.transactions
    assert list(df.columns) == list(TRANSACTION_COLUMNS)
    assert st.rejected == []
    assert st.rows_read == len(expected)
    assert list(zip(df["date"], df["amount"], df["description"], strict=True)) == expected
    assert (df["source"] == layout).all()
    assert df["transaction_id"].is_unique


@pytest.mark.parametrize("layout", ["chase_card", "capital_one", "barclays", "wells_fargo"])
def test_a_layout_saved_again_by_excel_with_tabs_is_read_alike(tmp_path, layout):
    # Excel's "Text (Tab delimited)" keeps a bank's header word for word (round eleven: Chase's
    # was "no importer recognises this file")
    import csv
    import io

    name, text, expected = CASES[layout]
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    st = read_statement(write(tmp_path, name.rsplit(".", 1)[0] + ".txt", out.getvalue()))
    assert st.format == layout and st.rejected == []
    assert list(zip(st.transactions["date"], st.transactions["amount"], st.transactions["description"])) == expected


def test_headerless_wells_fargo_saved_by_excel_as_tab_text_is_read(tmp_path):
    # What Excel writes for Wells Fargo's header-less CSV saved as "Text (Tab delimited)": quotes
    # gone, dates m/d/yyyy, General-format amounts, CRLF, cp1252 (sixteenth audit: "no importer
    # recognises this file", though the comma-separated download was read)
    text = ("6/28/2025\t-400\t*\t\tAMEX EPAYMENT ACH PMT\n"
            "6/20/2025\t2150\t*\t\tACME CORP PAYROLL\n"
            "6/2/2025\t-15.49\t*\t\tNETFLIX.COM 866-579-7172 CA \u00e9\n")
    path = write(tmp_path, "Checking1.txt", text, encoding="cp1252", newline="\r\n")
    for engine in ("rows", "columns"):
        st = read_statement(path, engine=engine)
        assert st.format == "wells_fargo" and st.rejected == [] and st.rows_read == 3
        assert list(zip(st.transactions["date"], st.transactions["amount"], st.transactions["description"])) == [
            ("2025-06-28", -400.0, "AMEX EPAYMENT ACH PMT"), ("2025-06-20", 2150.0, "ACME CORP PAYROLL"),
            ("2025-06-02", -15.49, "NETFLIX.COM 866-579-7172 CA \u00e9")]
        assert list(st.transactions["source_line"]) == [1, 2, 3]
    # named outright, and streamed, it reads the same
    assert read_statement(path, format="wells_fargo").transactions.equals(read_statement(path).transactions)
    from detector.importers import iter_statement_chunks

    chunks = list(iter_statement_chunks(path, chunksize=2))
    assert [len(c.transactions) for c in chunks] == [2, 1] and not any(c.rejected for c in chunks)
    # saved on a machine writing day-first dates: the file's own dates say so, as for other layouts
    uk = write(tmp_path, "Checking2.txt", "28/06/2025\t-400\t*\t\tAMEX EPAYMENT\n02/06/2025\t-15.49\t*\t\tNETFLIX.COM\n")
    st = read_statement(uk)
    assert st.format == "wells_fargo" and st.rejected == []
    assert list(st.transactions["date"]) == ["2025-06-28", "2025-06-02"] and st.notes


def test_a_tab_separated_file_of_other_shape_is_not_wells_fargo(tmp_path):
    # five cells and a "*" are what tells Wells Fargo's rows; a tab file of four cells is not one
    from detector.errors import UnrecognisedFormat

    path = write(tmp_path, "x.txt", "6/28/2025\t-400\t*\tAMEX EPAYMENT\n")
    with pytest.raises(UnrecognisedFormat):
        read_statement(path)


def test_each_layout_has_a_case():
    from detector.importers import LAYOUTS, format_names

    # every CSV layout; the importers of other files (OFX, Santander UK's .txt) have tests of their own
    assert {cls.name for cls in LAYOUTS} == set(CASES)
    assert set(format_names()) - set(CASES) == {"ofx", "santander_txt"}


def test_payment_method_and_currency_defaults(tmp_path):
    chase = read_statement(write(tmp_path, "c.csv", CASES["chase_card"][1]))
    assert (chase.default_payment_method, chase.currency) == ("credit_card", "USD")
    ing = read_statement(write(tmp_path, "i.csv", CASES["ing_nl"][1]))
    assert (ing.default_payment_method, ing.currency) == ("debit_card", "EUR")
    generic = read_statement(write(tmp_path, "g.csv", CASES["generic"][1]))
    assert generic.default_payment_method is None


def test_account_from_file_else_option_else_stem(tmp_path):
    ing = read_statement(write(tmp_path, "x.csv", CASES["ing_nl"][1]), account_id="ignored")
    assert ing.account_id == "NL12INGB0001234567"
    chase = write(tmp_path, "Chase1234.csv", CASES["chase_card"][1])
    assert read_statement(chase, account_id="joint-card").account_id == "joint-card"
    assert read_statement(chase).account_id == "Chase1234"


def test_source_ids_are_kept(tmp_path):
    monzo = read_statement(write(tmp_path, "m.csv", CASES["monzo"][1]))
    assert list(monzo.transactions["transaction_id"]) == ["tx_0000AbC", "tx_0000DeF", "tx_0000GhI"]
    bofa = read_statement(write(tmp_path, "b.csv", CASES["bofa_card"][1]))
    assert bofa.transactions["transaction_id"].iloc[0] == "24692164064100123456789"


def test_bofa_lines_are_physical_lines(tmp_path):
    st = read_statement(write(tmp_path, "stmt.csv", CASES["bofa_checking"][1]))
    assert list(st.transactions["source_line"]) == [9, 10]


def test_revolut_rows_that_did_not_complete_are_rejected_with_reason(tmp_path):
    text = CASES["revolut"][1] + (
        "CARD_PAYMENT,Current,2024-01-07 10:00:00,,Some Shop,-20.00,0.00,EUR,DECLINED,1038.76\n")
    st = read_statement(write(tmp_path, "rev.csv", text))
    assert st.rows_read == 4 and len(st.transactions) == 3
    assert st.rejected[0]["source_line"] == 5 and "DECLINED" in st.rejected[0]["reason"]


def test_bare_amex_download_reads_as_generic_unless_named(tmp_path):
    # Amex's minimal download has only Date,Description,Amount: the generic header, other sign.
    path = write(tmp_path, "amex_min.csv", "Date,Description,Amount\n11/20/2024,ADOBE,263.88\n")
    from detector.errors import ImportError_

    with pytest.raises(ImportError_):  # generic wants ISO dates; the message says how to map
        read_statement(path)
    st = read_statement(path, format="amex")
    assert st.transactions["amount"].tolist() == [-263.88]


def test_ing_comma_separated_english_variant(tmp_path):
    text = ('"Date","Name / Description","Account","Counterparty","Code","Debit/credit","Amount (EUR)",'
            '"Transaction type","Notifications"\n'
            '20210712,bol.com b.v.,NL00MAIN1234567890,NL27INGB0000026500,ID,Debit,"50,00",iDEAL,Name: bol.com\n')
    st = read_statement(write(tmp_path, "ing_en.csv", text))
    assert st.format == "ing_nl"
    assert st.transactions[["date", "amount", "description"]].values.tolist() == [["2021-07-12", -50.0, "bol.com b.v."]]


def test_amex_uk_is_day_first_pounds_and_us_amex_stays_month_first(tmp_path):
    # An Amex UK export was read as the US layout: 14/06/2025 rejected, 04/06/2025 stored as
    # 6 April, USD (thirteenth audit). The address columns tell the two exports apart.
    uk = read_statement(write(tmp_path, "activity.csv", CASES["amex_uk"][1]))
    assert (uk.format, uk.currency, uk.country) == ("amex_uk", "GBP", "GB")
    assert set(uk.transactions["currency"]) == {"GBP"}
    assert uk.transactions["transaction_id"].iloc[0] == "AT251650043000010826778"
    us_text = ("Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,City/State,"
               "Zip Code,Country,Reference,Category\n"
               "04/06/2025,AMAZON.COM,49.99,,AMAZON.COM,410 TERRY AVE N,SEATTLE/WA,98109,US,'320251560001',Shopping\n")
    us = read_statement(write(tmp_path, "us.csv", us_text))
    assert (us.format, us.currency) == ("amex", "USD")
    assert us.transactions["date"].tolist() == ["2025-04-06"]
    # the UK export with Card Member / Account # (13 columns) is UK too
    thirteen = ("Date,Description,Card Member,Account #,Amount,Extended Details,Appears On Your Statement As,"
                "Address,Town/City,Postcode,Country,Reference,Category\n"
                "15/01/2026,TEST RESTAURANT,MR TEST,-12345,25.50,GOODS,TEST RESTAURANT,123 ST,LONDON,SW1A 1AA,UK,"
                "'AT123',Entertainment\n")
    st = read_statement(write(tmp_path, "uk13.csv", thirteen))
    assert (st.format, st.transactions["date"].tolist()) == ("amex_uk", ["2026-01-15"])


def test_the_default_account_leaves_out_the_file_names_date_stamps(tmp_path):
    # Six monthly Chase downloads were six one-month accounts: no plan was ever seen twice
    # (thirteenth audit). The date stamps banks put in a download's name are no part of the account.
    from detector.importers.naming import account_from_filename

    for name, account in [("Chase4444_Activity20250105.CSV", "Chase4444_Activity"),
                          ("Chase4444_Activity20250205.CSV", "Chase4444_Activity"),
                          ("account-statement_2025-01-01_2025-06-30_en-us.csv", "account-statement_en-us"),
                          ("stmt_20250101-20250630.csv", "stmt"), ("statement 01-05-2025.csv", "statement"),
                          ("card_2025-07.csv", "card"), ("Discover-Statement-20250105.csv", "Discover-Statement"),
                          ("export_2025-01-05T10-11-12.csv", "export"), ("visa_jan2025.csv", "visa"),
                          # no date in it, or nothing but a date: the name as it is
                          ("Chase1234.csv", "Chase1234"), ("acct_12345678.csv", "acct_12345678"),
                          ("2025-06-30.csv", "2025-06-30"), ("aug_2024.csv", "aug_2024"),
                          # the same file saved again (round eleven: a second account, every plan twice)
                          ("Chase4444_Activity20250402 (1).CSV", "Chase4444_Activity"),
                          ("statement - Copy (2).csv", "statement"), ("Netflix (UK).csv", "Netflix (UK)"),
                          ("Checking (123).csv", "Checking (123)")]:
        assert account_from_filename(name) == account, name
    text = CASES["chase_card"][1]
    accounts = {read_statement(write(tmp_path, f"Chase4444_Activity2025{m}28.CSV", text)).account_id
                for m in ("01", "02", "03")}
    assert accounts == {"Chase4444_Activity"}
    assert read_statement(write(tmp_path, "Chase4444_Activity20250428.CSV", text),
                          account_id="joint").account_id == "joint"


def test_a_months_name_with_its_day_and_a_time_after_a_space_are_date_stamps(tmp_path):
    # Nationwide (UK) names every download "Statement Download 2025-Jun-30 10-15-02.csv": the
    # account kept "30 10-15-02", and two downloads of one account were two accounts, each plan
    # "ended" in one and "active" in the other (seventeenth session's audit). Names as real
    # downloads have them, the hour one digit or two.
    from detector.importers.naming import account_from_filename

    for name, account in [("Statement Download 2025-Jun-30 10-15-02.csv", "Statement Download"),
                          ("Statement Download 2025-Jan-02 18-41-07.csv", "Statement Download"),
                          ("Statement Download 2024-May-29 9-21-29.csv", "Statement Download"),
                          ("Statement Download 2021-Aug-08.csv", "Statement Download"),
                          ("Statement Download 2025-Jun-30 10-15-02 (1).csv", "Statement Download"),
                          ("Statement Download 2022-Aug-15 interim.csv", "Statement Download interim"),
                          ("stmt 30-Jun-2025.csv", "stmt"), ("stmt_30Jun2025.csv", "stmt"),
                          ("Savings 01 Jun 2024 - 30 Jun 2025.csv", "Savings"),
                          ("x 2025-01-05_10-11.csv", "x"), ("stmt_2025_06_30_12_00.csv", "stmt"),
                          # a time needs its separator, and a date after it stays a date of a range
                          ("acct 2025-01-05 1234.csv", "acct 1234"),
                          ("NL20INGB0001234567_01-06-2024_30-06-2025.csv", "NL20INGB0001234567"),
                          ("account-statement_2025-01-01_2025-06-30_en-us.csv", "account-statement_en-us"),
                          ("aug_2024.csv", "aug_2024")]:
        assert account_from_filename(name) == account, name


def test_rows_naming_their_card_keep_two_cards_apart(tmp_path):
    # Capital One names every download YYYY-MM-DD_transaction_download.csv: two cards' files were one
    # account and the second card's Netflix charges were dropped as duplicates (thirteenth audit).
    header = "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    one = read_statement(write(a, "2025-06-30_transaction_download.csv",
                               header + "2025-06-15,2025-06-16,4821,NETFLIX.COM,Entertainment,15.49,\n"))
    two = read_statement(write(b, "2025-06-30_transaction_download.csv",
                               header + "2025-06-15,2025-06-16,7710,NETFLIX.COM,Entertainment,15.49,\n"))
    assert (one.account_id, two.account_id) == ("capital_one-4821", "capital_one-7710")
    assert set(one.transactions["transaction_id"]).isdisjoint(two.transactions["transaction_id"])
    # two cards in one file; --account names the account for all of them
    both = write(tmp_path, "both.csv", header + "2025-06-15,2025-06-16,4821,NETFLIX.COM,E,15.49,\n"
                 "2025-06-15,2025-06-16,7710,NETFLIX.COM,E,15.49,\n")
    assert read_statement(both).accounts == ["capital_one-4821", "capital_one-7710"]
    assert read_statement(both, account_id="cards").accounts == ["cards"]
    # Amex's Account # is the card (Card Member a person); Amex writes it as -71003
    amex = read_statement(write(tmp_path, "activity.csv", CASES["amex"][1]))
    assert amex.account_id == "amex-71003"
    # files naming their own account keep it: ING's IBAN, generic account_id
    assert read_statement(write(tmp_path, "x.csv", CASES["ing_nl"][1])).account_id == "NL12INGB0001234567"
    assert read_statement(write(tmp_path, "g.csv", CASES["generic"][1])).account_id == "acc1"


def _with_extra_lines(layout: str, tmp_path) -> tuple[str, int, int, int]:
    """The case's text plus its last record twice more: once with its description split by an
    unquoted delimiter and its last cell filled, once ending in two empty fields the header lacks.
    Returns the text, the shifted line's number and field count, and the header's."""
    import csv
    import io

    from detector.importers import get_importer

    name, text, _ = CASES[layout]
    lines = io.StringIO(text, newline="").readlines()
    _, hl = get_importer(layout).read_header(str(tmp_path / name), iter(lines))
    cells = next(csv.reader([lines[-1].rstrip("\n")], delimiter=hl.delimiter))
    pos = hl.index["description"] if cells[hl.index["description"]] else hl.index["description_fallback"]
    desc = cells[pos]
    shifted = cells[:pos] + [desc[:len(desc) // 2], desc[len(desc) // 2:]] + cells[pos + 1:]
    shifted[-1] = shifted[-1] or "x"  # the shift moves a value past the header's last column
    out = io.StringIO()
    writer = csv.writer(out, delimiter=hl.delimiter, lineterminator="\n")
    writer.writerows([shifted, cells + ["", ""]])
    return text + out.getvalue(), len(lines) + 1, len(shifted), hl.width


@pytest.mark.parametrize("layout", sorted(CASES))
def test_a_value_holding_an_unquoted_delimiter_is_rejected_in_every_layout(tmp_path, layout):
    # An Amex line "06/22/2025,BLUE BOTTLE, COFFEE,ALEX MORGAN,-71003,5.75" (6 fields under 5
    # headers) was stored as a +71,003.00 credit of an account "amex-ALEX MORGAN" (sixteenth
    # audit): a record with values past the header's columns is rejected, saying why; one ending
    # in empty fields (a trailing delimiter, as Chase checking writes every row) is read.
    from detector.importers import iter_statement_chunks

    name, _, expected = CASES[layout]
    text, line, found, width = _with_extra_lines(layout, tmp_path)
    path = write(tmp_path, name, text)
    for engine in ("rows", "columns"):
        st = read_statement(path, engine=engine)
        assert st.format == layout and st.rows_read == len(expected) + 2
        assert [r["source_line"] for r in st.rejected] == [line]
        assert st.rejected[0]["reason"].startswith(f"expected {width} columns, found {found} (a value holding a")
        got = list(zip(st.transactions["date"], st.transactions["amount"], st.transactions["description"]))
        assert got == expected + expected[-1:]  # the trailing-delimiter copy is read as the record
        assert line + 1 in set(st.transactions["source_line"])
    chunks = list(iter_statement_chunks(path, chunksize=2))
    assert [r["source_line"] for c in chunks for r in c.rejected] == [line]
    assert sum(len(c.transactions) for c in chunks) == len(expected) + 1


def test_the_audits_amex_line_is_rejected_and_no_phantom_account_is_made(tmp_path):
    text = ("Date,Description,Card Member,Account #,Amount\n"
            "06/28/2025,ONLINE PAYMENT - THANK YOU,ALEX MORGAN,-71003,-400.00\n"
            "06/22/2025,BLUE BOTTLE, COFFEE,ALEX MORGAN,-71003,5.75\n"
            "06/20/2025,HULU 877-8244858 CA,ALEX MORGAN,-71003,17.99\n")
    st = read_statement(write(tmp_path, "activity.csv", text))
    assert st.accounts == ["amex-71003"] and st.rows_read == 3 and len(st.transactions) == 2
    assert [(r["source_line"], r["reason"], r["raw"]) for r in st.rejected] == [
        (3, "expected 5 columns, found 6 (a value holding a comma must be quoted)",
         "06/22/2025,BLUE BOTTLE, COFFEE,ALEX MORGAN,-71003,5.75")]
