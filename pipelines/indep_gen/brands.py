"""Brands the independent generator bills: real subscription vendors and billers, as their
charges look on US statements (network names with their placeholders, phone or city, state, ACH
company name and entry description, the name Plaid shows), and the merchants of ordinary spending.

Written from public knowledge of statement descriptors (descriptor look-up sites, bank exports),
not from this repository's vendor catalogue. Placeholders filled per charge: ``{ref}`` a 9-char
order code, ``{ref6}`` 6 chars, ``{num}`` 10 digits, ``{mon}`` month and year (``Jun 2025``),
``{store}`` a store number fixed per account.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Brand:
    """A merchant that bills a plan: ``plans`` maps a frequency to the base prices it sells."""

    name: str                       # what a person calls it (truth merchant)
    cat: str                        # streaming, software, gym, phone, utility, insurance, loan, rent, ...
    plans: dict                     # frequency -> list of base prices
    net: tuple                      # card-network names (one is picked per account)
    loc: tuple = ()                 # phone numbers or cities printed after the name
    st: str = "CA"
    ach: tuple | None = None        # (company name, entry description) when it debits by ACH
    p_ach: float = 0.0              # share of accounts billed by ACH rather than card
    pop: float = 1.0                # relative popularity
    model: str = "fixed"            # amount model: fixed, phone, utility, insurance, rent
    plaid: str | None = None        # Plaid's cleaned name (defaults to ``name``)
    paypal: str | None = None       # tag after PAYPAL * when billed through PayPal
    cur: str | None = None          # billing currency when not USD (FX jitter)
    taxed: bool = False             # sales tax added (tax jitter)
    trials: tuple = ()              # trial kinds offered: free, dollar, intro
    extra: dict = field(default_factory=dict)


M, Q, S, A, W, B, SM = "monthly", "quarterly", "semiannual", "annual", "weekly", "biweekly", "semimonthly"

SUBSCRIPTIONS = [
    Brand("Netflix", "streaming", {M: [6.99, 15.49, 22.99]}, ("NETFLIX.COM", "NETFLIX.COM NETFLIX.COM", "NETFLIX INC"),
          ("866-579-7172", "LOS GATOS"), pop=9, paypal="NETFLIX", trials=("free",)),
    Brand("Spotify", "music", {M: [10.99, 16.99, 5.99, 14.99]}, ("SPOTIFY USA", "Spotify P{ref}", "SPOTIFY"),
          ("877-778-1161", "NEW YORK"), st="NY", pop=8, paypal="SPOTIFYUSAI", trials=("free", "intro")),
    Brand("Hulu", "streaming", {M: [7.99, 17.99, 76.99]}, ("HLU*Hulu {num}-U", "HULU 877-8244858", "HULU.COM/BILL"),
          ("HULU.COM/BILL", "SANTA MONICA"), pop=6, paypal="HULU", trials=("free", "dollar")),
    Brand("Disney+", "streaming", {M: [7.99, 13.99], A: [139.99]}, ("DISNEY PLUS", "DisneyPLUS", "DISNEYPLUS.COM"),
          ("888-905-7888", "BURBANK"), pop=6, trials=("free",)),
    Brand("Max", "streaming", {M: [9.99, 16.99, 20.99]}, ("MAX.COM", "HBO MAX", "WWW.MAX.COM"),
          ("855-442-6629", "NEW YORK"), st="NY", pop=4),
    Brand("Peacock", "streaming", {M: [7.99, 13.99], A: [79.99]}, ("PEACOCK {ref6} PREMIUM", "PEACOCKTV.COM"),
          ("NEW YORK",), st="NY", pop=3, trials=("intro",)),
    Brand("Paramount+", "streaming", {M: [7.99, 12.99]}, ("PARAMOUNT+", "PARAMOUNTPLUS.COM", "CBS ALL ACCESS"),
          ("888-274-5343", "NEW YORK"), st="NY", pop=3, trials=("free",)),
    Brand("YouTube TV", "streaming", {M: [72.99, 82.99]}, ("GOOGLE *YouTube TV", "GOOGLE *YOUTUBE TV"),
          ("g.co/helppay#", "650-253-0000"), pop=2),
    Brand("Sling TV", "streaming", {M: [40.00, 55.00]}, ("SLING.COM", "SLING TV"), ("888-363-1777", "ENGLEWOOD"),
          st="CO", pop=1.5),
    Brand("ESPN+", "streaming", {M: [10.99], A: [109.99]}, ("ESPN PLUS", "ESPN+ 800-727-1800"), ("BRISTOL",),
          st="CT", pop=1.5),
    Brand("Crunchyroll", "streaming", {M: [7.99, 11.99]}, ("CRUNCHYROLL", "CRUNCHYROLL *MEMBERSHIP"), ("SAN FRANCISCO",),
          pop=1, paypal="CRUNCHYROLL"),
    Brand("Starz", "streaming", {M: [9.99]}, ("STARZ ENTERTAINMENT", "STARZ.COM"), ("SANTA MONICA",), pop=0.8),
    Brand("SiriusXM", "music", {M: [10.99, 17.99, 23.99], Q: [32.97]},
          ("SIRIUSXM*RADIO", "SXM*SIRIUSXM.COM/ACCT", "SIRIUS XM RADIO"), ("888-635-5144", "NEW YORK"), st="NY", pop=3,
          ach=("SIRIUS XM RADIO", "SIRIUSXM"), p_ach=0.2, trials=("intro",)),
    Brand("Pandora", "music", {M: [4.99, 10.99]}, ("PANDORA*PLUS", "PANDORA.COM"), ("OAKLAND",), pop=1),
    Brand("Tidal", "music", {M: [10.99]}, ("TIDAL.COM", "TIDAL MUSIC"), ("NEW YORK",), st="NY", pop=0.4),
    Brand("YouTube Premium", "streaming", {M: [13.99, 22.99]}, ("GOOGLE *YouTubePremium", "GOOGLE *YouTube Premium"),
          ("g.co/helppay#",), pop=4, trials=("free",)),
    Brand("Google One", "cloud", {M: [1.99, 2.99, 9.99], A: [19.99, 99.99]}, ("GOOGLE *Google One", "GOOGLE*GOOGLE STORAGE"),
          ("g.co/helppay#",), pop=4),
    Brand("Microsoft 365", "software", {M: [9.99, 6.99], A: [69.99, 99.99]},
          ("MICROSOFT*365 PERSONAL", "MICROSOFT*MICROSOFT 365 F", "MSFT * E0{ref6}"), ("MSBILL.INFO", "800-642-7676"),
          st="WA", pop=4, paypal="MICROSOFT", taxed=True),
    Brand("Xbox Game Pass", "gaming", {M: [16.99, 19.99]}, ("MICROSOFT*XBOX GAME PASS", "Microsoft*Xbox"),
          ("MSBILL.INFO",), st="WA", pop=2, taxed=True, trials=("dollar",)),
    Brand("PlayStation Plus", "gaming", {M: [9.99, 17.99], A: [79.99, 159.99]},
          ("PLAYSTATION NETWORK", "Sony Interactive Ent", "PlayStation Network"), ("800-345-7669", "SAN MATEO"), pop=2,
          taxed=True),
    Brand("Nintendo Switch Online", "gaming", {A: [19.99, 49.99]}, ("NINTENDO CD{ref6}", "NINTENDO OF AMERICA"),
          ("800-255-3700", "REDMOND"), st="WA", pop=1.2),
    Brand("Adobe", "software", {M: [22.99, 59.99, 9.99, 19.99]}, ("ADOBE *CREATIVE CLD", "ADOBE *ACROPRO SUBS", "ADOBE  *ADOBE"),
          ("SAN JOSE", "408-536-6000"), pop=3, taxed=True, trials=("free",)),
    Brand("Dropbox", "cloud", {M: [11.99, 19.99], A: [119.88]}, ("DROPBOX*{ref}", "DROPBOX*{ref6}"), ("DB.TT/CC", "SAN FRANCISCO"),
          pop=2),
    Brand("ChatGPT", "software", {M: [20.00]}, ("OPENAI *CHATGPT SUBSCR", "CHATGPT SUBSCRIPTION"), ("OPENAI.COM", "SAN FRANCISCO"),
          pop=3, taxed=True),
    Brand("Zoom", "software", {M: [15.99, 13.32], A: [149.90]}, ("ZOOM.US", "ZOOM.US 888-799-9666"), ("SAN JOSE",), pop=1.5),
    Brand("Canva", "software", {M: [14.99], A: [119.99]}, ("CANVA* {num}", "CANVA* I{num}"), ("SYDNEY", "CANVA.COM"),
          st="AU", pop=1.5, trials=("free",)),
    Brand("GitHub", "software", {M: [4.00, 10.00], A: [100.00]}, ("GITHUB, INC.", "GITHUB INC"), ("GITHUB.COM", "SAN FRANCISCO"),
          pop=1),
    Brand("Grammarly", "software", {M: [30.00], Q: [60.00], A: [144.00]}, ("GRAMMARLY CO* {ref6}", "GRAMMARLY"),
          ("SAN FRANCISCO",), pop=1),
    Brand("1Password", "security", {M: [2.99, 4.99], A: [35.88, 59.88]}, ("1PASSWORD* AGILEBITS", "AGILEBITS 1PASSWORD"),
          ("TORONTO",), st="ON", pop=1),
    Brand("NordVPN", "vpn", {M: [12.99], A: [59.88, 99.00]}, ("NORDVPN.COM", "NORDVPN* NORD SECURITY"), ("AMSTERDAM",),
          st="NL", pop=1.5),
    Brand("ExpressVPN", "vpn", {M: [12.95], A: [99.95]}, ("EXPRESSVPN.COM", "EXPRESSVPN"), ("TORTOLA",), st="VG", pop=1),
    Brand("Norton 360", "security", {A: [104.99, 54.99], M: [9.99]}, ("NORTON *AP{num}", "NORTONLIFELOCK"), ("NORTON.COM", "TEMPE"),
          st="AZ", pop=1.5, trials=("intro",)),
    Brand("McAfee", "security", {A: [119.99, 39.99]}, ("MCAFEE.COM", "MCAFEE *TOTAL PROTECT"), ("866-622-3911", "SAN JOSE"),
          pop=1, trials=("intro",)),
    Brand("LinkedIn Premium", "professional", {M: [39.99, 59.99]}, ("LINKEDIN P{num}", "LINKEDIN PRE {num}"), ("LNKD.IN/BILL",),
          pop=1, trials=("free",)),
    Brand("Duolingo", "education", {M: [12.99], A: [84.99]}, ("DUOLINGO", "DUOLINGO INC"), ("PITTSBURGH",), st="PA", pop=1.5,
          trials=("free",)),
    Brand("Headspace", "health", {M: [12.99], A: [69.99]}, ("HEADSPACE.COM", "HEADSPACE INC"), ("SANTA MONICA",), pop=1,
          trials=("free",)),
    Brand("Calm", "health", {A: [69.99], M: [14.99]}, ("CALM.COM", "CALM.COM SUBSCRIPTION"), ("SAN FRANCISCO",), pop=1,
          trials=("free",)),
    Brand("Noom", "health", {M: [70.00, 59.00]}, ("NOOM INC", "NOOM.COM"), ("NEW YORK",), st="NY", pop=0.8, trials=("dollar",)),
    Brand("WeightWatchers", "health", {M: [22.95, 44.95]}, ("WW INTERNATIONAL", "WW INTL INC"), ("800-651-6000",), st="NY",
          pop=0.8, plaid="WW"),
    Brand("Peloton", "fitness", {M: [44.00, 12.99, 24.00]}, ("PELOTON* MEMBERSHIP", "PELOTON INTERACTIVE"),
          ("866-679-9129", "NEW YORK"), st="NY", pop=1.5, taxed=True),
    Brand("Strava", "fitness", {A: [79.99], M: [11.99]}, ("STRAVA.COM", "STRAVA INC"), ("SAN FRANCISCO",), pop=0.8),
    Brand("ClassPass", "fitness", {M: [49.00, 79.00]}, ("CLASSPASS* MEMBERSHIP", "CLASSPASS.COM"), ("NEW YORK",), st="NY",
          pop=0.7, trials=("free",)),
    Brand("New York Times", "news", {M: [17.00, 25.00]}, ("NYTIMES*NYTDIGITAL", "NYT*NEWS 800-698-4637", "NYTIMES*NYTIMES"),
          ("NYTIMES.COM",), st="NY", pop=2, plaid="The New York Times", trials=("intro",)),
    Brand("Wall Street Journal", "news", {M: [38.99], A: [311.88]}, ("WSJ DIGITAL", "DOW JONES WSJ 800-568-7625"), ("CHICOPEE",),
          st="MA", pop=0.8, plaid="WSJ", trials=("intro",)),
    Brand("Washington Post", "news", {M: [12.00], A: [120.00]}, ("WASHINGTON POST", "WP DIGITAL SUBSCRIPTION"),
          ("WASHINGTON",), st="DC", pop=0.8, trials=("intro",)),
    Brand("Patreon", "creator", {M: [5.00, 10.00, 3.00]}, ("PATREON* MEMBERSHIP", "PATREON*{ref6}"), ("INTERNET",), pop=1.5,
          paypal="PATREON"),
    Brand("Audible", "books", {M: [14.95, 22.95], A: [149.50]}, ("Audible*{ref}", "AUDIBLE*{ref}"), ("Amzn.com/bill",),
          st="NJ", pop=2, trials=("free",)),
    Brand("Kindle Unlimited", "books", {M: [11.99]}, ("Kindle Unltd*{ref}", "KINDLE SVCS*{ref}"), ("888-802-3080",), st="WA",
          pop=1.2, trials=("free",)),
    Brand("Scribd", "books", {M: [11.99]}, ("SCRIBD INC", "SCRIBD.COM"), ("SAN FRANCISCO",), pop=0.5),
    Brand("Ancestry", "membership", {M: [24.99], S: [149.00], A: [299.00]}, ("ANCESTRY.COM", "ANCESTRY *MEMBERSHIP"),
          ("800-262-3787", "LEHI"), st="UT", pop=0.7),
    Brand("Match", "dating", {M: [44.99], Q: [98.97]}, ("MATCH.COM", "MATCH.COM 800-326-5161"), ("DALLAS",), st="TX", pop=0.5),
    Brand("Bumble", "dating", {M: [29.99, 14.99]}, ("BUMBLE", "BUMBLE INC"), ("AUSTIN",), st="TX", pop=0.5),
    Brand("Life360", "security", {M: [14.99], A: [99.99]}, ("LIFE360", "LIFE360 INC"), ("SAN FRANCISCO",), pop=0.6),
    Brand("Ring", "security", {M: [4.99, 9.99, 19.99], A: [49.99, 99.99]}, ("RING YEARLY PLAN", "RING BASIC PLAN", "RING.COM"),
          ("RING.COM", "800-656-1918"), pop=1.5),
    Brand("SimpliSafe", "security", {M: [19.99, 29.99]}, ("SIMPLISAFE", "SIMPLISAFE INC"), ("888-957-4675", "BOSTON"), st="MA",
          pop=0.8),
    Brand("ADT", "security", {M: [45.99, 57.99]}, ("ADT SECURITY SERVICES", "ADT SECURITY"), ("800-238-2727",), st="FL",
          ach=("ADT SECURITY SERV", "ADT PYMT"), p_ach=0.7, pop=0.8),
    Brand("DoorDash DashPass", "food", {M: [9.99], A: [96.00]}, ("DOORDASH DASHPASS", "DD *DOORDASH DASHPASS"),
          ("SAN FRANCISCO", "855-973-1040"), pop=2, plaid="DoorDash", trials=("free",)),
    Brand("Uber One", "food", {M: [9.99], A: [96.00]}, ("UBER *ONE MEMBERSHIP", "UBER *ONE"), ("HELP.UBER.COM",), pop=1.5,
          plaid="Uber", trials=("free",)),
    Brand("Instacart+", "food", {M: [9.99], A: [99.00]}, ("INSTACART SUBSCRIPTION", "INSTACART+ MEMBERSHIP"),
          ("INSTACART.COM", "SAN FRANCISCO"), pop=1, plaid="Instacart", trials=("free",)),
    Brand("Walmart+", "shopping", {M: [12.95], A: [98.00]}, ("WMT PLUS {mon}", "WALMART+ MEMBERSHIP", "WMT PLUS"),
          ("BENTONVILLE", "WALMART.COM"), st="AR", pop=1.5, trials=("free",)),
    Brand("Costco", "membership", {A: [65.00, 130.00]}, ("COSTCO *ANNUAL RENEWAL", "COSTCO WHSE MEMBERSHIP"),
          ("800-774-2678", "ISSAQUAH"), st="WA", pop=2.5),
    Brand("Sam's Club", "membership", {A: [50.00, 110.00]}, ("SAMS CLUB MEMBERSHIP RNWL", "SAMSCLUB.COM MEMBERSHIP"),
          ("888-746-7726", "BENTONVILLE"), st="AR", pop=1, plaid="Sam's Club"),
    Brand("AAA", "membership", {A: [64.00, 124.00]}, ("AAA MEMBERSHIP", "AAA CLUB ALLIANCE"), ("800-222-4357",), st="VA", pop=1.2),
    Brand("Squarespace", "software", {M: [23.00], A: [192.00, 276.00]}, ("SQSP* WEBSITE #{num}", "SQSP* INV{num}"),
          ("SQUARESPACE.COM",), st="NY", pop=0.8),
    Brand("GoDaddy", "software", {A: [21.99, 119.88]}, ("DNH*GODADDY.COM", "GODADDY.COM"), ("480-505-8855",), st="AZ", pop=0.8),
    Brand("Apple Developer", "software", {A: [99.00]}, ("APPLE.COM/US DEVELOPER",), ("800-633-2152",), pop=0.2),
    Brand("FabFitFun", "shopping", {Q: [59.99]}, ("FABFITFUN", "FABFITFUN.COM"), ("LOS ANGELES",), pop=0.5),
    Brand("HelloFresh", "food", {W: [59.94, 79.92, 89.99]}, ("HELLOFRESH", "HELLO FRESH 646-846-3663"), ("NEW YORK",), st="NY",
          pop=1.2, trials=("intro",)),
    Brand("Factor", "food", {W: [71.92, 89.91]}, ("FACTOR75", "FACTOR 75 INC"), ("312-809-7660", "CHICAGO"), st="IL", pop=0.6),
    Brand("BarkBox", "pets", {M: [35.00, 29.00]}, ("BARKBOX", "BARK BOX"), ("NEW YORK",), st="NY", pop=0.8),
    Brand("Chewy", "pets", {M: [54.98, 71.50]}, ("CHEWY.COM", "CHEWY INC"), ("800-672-4399", "DANIA"), st="FL",
          pop=0.8, plaid="Chewy", taxed=True),
    # Billed in another currency: the dollar amount moves with the exchange rate.
    Brand("Babbel", "education", {M: [13.95], Q: [29.95], A: [83.40]}, ("BABBEL.COM", "BABBEL GMBH"), ("BERLIN",), st="DE",
          pop=0.6, cur="EUR"),
    Brand("Proton", "vpn", {M: [9.99], A: [71.88]}, ("PROTON AG", "PROTON.ME"), ("GENEVA",), st="CH", pop=0.5, cur="CHF"),
    Brand("Blinkist", "books", {A: [79.99], M: [14.99]}, ("BLINKIST", "BLINKS LABS GMBH"), ("BERLIN",), st="DE", pop=0.4, cur="EUR"),
    Brand("The Economist", "news", {M: [12.90], Q: [45.00], A: [159.00]}, ("THE ECONOMIST", "ECONOMIST.COM"), ("LONDON",),
          st="GB", pop=0.5, cur="GBP"),
    Brand("Financial Times", "news", {M: [39.00]}, ("FT.COM SUBSCRIPTION", "FINANCIAL TIMES"), ("LONDON",), st="GB",
          pop=0.3, cur="GBP"),
]

# Apple's own services: billed through APPLE.COM/BILL, so the descriptor never names them.
APPLE_SERVICES = [
    Brand("iCloud", "cloud", {M: [0.99, 2.99, 9.99]}, ("APPLE.COM/BILL",), pop=6),
    Brand("Apple Music", "music", {M: [10.99, 16.99], A: [109.00]}, ("APPLE.COM/BILL",), pop=3, trials=("free",)),
    Brand("Apple TV+", "streaming", {M: [6.99, 9.99]}, ("APPLE.COM/BILL",), pop=2, trials=("free",)),
    Brand("Apple One", "bundle", {M: [19.95, 25.95]}, ("APPLE.COM/BILL",), pop=1.2),
    Brand("Apple Arcade", "gaming", {M: [4.99, 6.99]}, ("APPLE.COM/BILL",), pop=0.8, trials=("free",)),
]
APPLE_NET = ("APPLE.COM/BILL", "APL*APPLE.COM/BILL", "APL* ITUNES.COM/BILL")
APPLE_LOC = ("866-712-7753", "ITUNES.COM", "CUPERTINO")

AMAZON_PRIME = Brand("Amazon Prime", "shopping", {M: [14.99], A: [139.00, 119.00]},
                     ("Amazon Prime*{ref}", "AMAZON PRIME*{ref}", "Prime Video*{ref}"), ("Amzn.com/bill",), st="WA",
                     pop=6, trials=("free",), taxed=True)
AMAZON_PURCHASE_NET = ("AMZN Mktp US*{ref}", "Amazon.com*{ref}", "AMAZON MKTPL*{ref}", "AMZN Mktp US*{ref}")

# Monthly bills by ACH or card: variable (phone, utilities), per-term insurance, fixed loans and rent.
BILLS = [
    Brand("Verizon", "phone", {M: [75.0, 130.0, 180.0]}, ("VERIZON WRLS P{num}", "VZWRLSS*APOCC VISB"), ("800-922-0204",),
          st="NJ", ach=("VERIZON WIRELESS", "PAYMENTREC"), p_ach=0.6, pop=4, model="phone", plaid="Verizon Wireless"),
    Brand("AT&T", "phone", {M: [65.0, 140.0, 95.0]}, ("ATT*BILL PAYMENT", "AT&T*BILL PAYMENT"), ("800-288-2020",), st="TX",
          ach=("AT&T", "PAYMENT"), p_ach=0.6, pop=3.5, model="phone"),
    Brand("T-Mobile", "phone", {M: [70.0, 140.0, 50.0]}, ("T-MOBILE PCS SVC", "TMOBILE*AUTO PAY"), ("800-937-8997",), st="WA",
          ach=("T-MOBILE", "PCS SVC"), p_ach=0.5, pop=3.5, model="phone"),
    Brand("Mint Mobile", "phone", {Q: [45.00, 90.00], A: [180.00]}, ("MINT MOBILE", "MINTMOBILE.COM"), ("COSTA MESA",),
          pop=0.6, taxed=True),
    Brand("Xfinity", "internet", {M: [65.0, 89.99, 120.0]}, ("COMCAST XFINITY", "COMCAST CABLE COMM"), ("800-266-2278",),
          st="PA", ach=("COMCAST", "CABLE PMT"), p_ach=0.6, pop=3, model="steady_bill", plaid="Comcast"),
    Brand("Spectrum", "internet", {M: [49.99, 79.99, 114.98]}, ("SPECTRUM", "CHARTER COMMUNICATIONS"), ("855-707-7328",),
          st="MO", ach=("SPECTRUM", "SPECTRUM"), p_ach=0.5, pop=2.5, model="steady_bill"),
    Brand("Cox", "internet", {M: [59.99, 99.99]}, ("COX COMM", "COX COMMUNICATIONS"), ("888-566-7317",), st="GA",
          ach=("COX COMMUNICATIONS", "COX PAYMNT"), p_ach=0.6, pop=1, model="steady_bill"),
    Brand("Google Fiber", "internet", {M: [70.00, 100.00]}, ("GOOGLE *FIBER", "GOOGLE FIBER INC"), ("g.co/helppay#",),
          pop=0.4),
    Brand("PG&E", "utility", {M: [140.0]}, ("PGANDE WEB ONLINE", "PG&E"), ("800-743-5000",),
          ach=("PGANDE", "WEB ONLINE"), p_ach=0.9, pop=1.5, model="utility"),
    Brand("Con Edison", "utility", {M: [110.0]}, ("CON ED OF NY", "CONED"), ("800-752-6633",), st="NY",
          ach=("CON ED OF NY", "INTELL CK"), p_ach=0.9, pop=1.2, model="utility", plaid="ConEd"),
    Brand("Duke Energy", "utility", {M: [130.0]}, ("DUKE ENERGY", "DUKE-ENERGY PAYMENT"), ("800-777-9898",), st="NC",
          ach=("DUKE ENERGY CAROLINAS", "DUKEENERGY"), p_ach=0.9, pop=1.5, model="utility"),
    Brand("FPL", "utility", {M: [150.0]}, ("FPL DIRECT DEBIT", "FLORIDA POWER & LIGHT"), ("800-226-3545",), st="FL",
          ach=("FPL DIRECT DEBIT", "ELEC PYMT"), p_ach=0.9, pop=1.2, model="utility"),
    Brand("Georgia Power", "utility", {M: [135.0]}, ("GEORGIA POWER", "GA POWER"), ("888-660-5890",), st="GA",
          ach=("GEORGIA POWER", "BILL PAY"), p_ach=0.9, pop=0.8, model="utility"),
    Brand("Dominion Energy", "utility", {M: [120.0]}, ("DOMINION ENERGY", "DOM ENERGY VA"), ("866-366-4357",), st="VA",
          ach=("DOMINION ENERGY", "BILLPAY"), p_ach=0.9, pop=0.8, model="utility"),
    Brand("Xcel Energy", "utility", {M: [95.0]}, ("XCEL ENERGY", "XCEL ENERGY-NSP"), ("800-895-4999",), st="MN",
          ach=("XCEL ENERGY-NSP", "XCELENERGY"), p_ach=0.9, pop=0.8, model="utility"),
    Brand("SoCalGas", "utility", {M: [55.0]}, ("SOCALGAS", "SO CAL GAS"), ("800-427-2200",),
          ach=("SOCALGAS", "PAID SCG"), p_ach=0.9, pop=0.8, model="utility"),
    Brand("National Grid", "utility", {M: [90.0]}, ("NATIONAL GRID", "NATIONALGRID US"), ("800-322-3223",), st="NY",
          ach=("NATIONAL GRID", "UTIL PAYMT"), p_ach=0.9, pop=0.8, model="utility"),
    Brand("Austin Water", "utility", {M: [65.0], Q: [180.0]}, ("CITY OF AUSTIN UTIL", "AUSTIN ENERGY UTIL"), ("512-494-9400",),
          st="TX", ach=("CITY OF AUSTIN", "UTIL PMT"), p_ach=0.9, pop=0.6, model="utility"),
    Brand("Waste Management", "utility", {Q: [95.0], M: [32.0]}, ("WM EZPAY", "WASTE MANAGEMENT"), ("866-834-2080",), st="TX",
          ach=("WASTE MANAGEMENT", "WM EZPAY"), p_ach=0.6, pop=0.6, model="utility"),
    Brand("GEICO", "insurance", {M: [98.0, 142.0, 186.0], S: [610.0, 890.0]}, ("GEICO *AUTO", "GEICO INS"), ("800-841-3000",),
          st="DC", ach=("GEICO", "INS PREM"), p_ach=0.6, pop=3, model="insurance"),
    Brand("Progressive", "insurance", {M: [112.0, 155.0], S: [640.0, 950.0]}, ("PROGRESSIVE *INS", "PROG DIRECT INS"),
          ("800-776-4737",), st="OH", ach=("PROGRESSIVE INS", "PREM PMT"), p_ach=0.6, pop=2.5, model="insurance"),
    Brand("State Farm", "insurance", {M: [125.0, 168.0], S: [720.0]}, ("STATE FARM INSURANCE", "STATE FARM RO 27"),
          ("800-956-6310",), st="IL", ach=("STATE FARM RO 27", "SFPP"), p_ach=0.8, pop=2.5, model="insurance"),
    Brand("Allstate", "insurance", {M: [140.0], S: [820.0]}, ("ALLSTATE INS CO", "ALLSTATE *PAYMENT"), ("800-255-7828",),
          st="IL", ach=("ALLSTATE", "INS PREM"), p_ach=0.7, pop=1.5, model="insurance"),
    Brand("Liberty Mutual", "insurance", {M: [130.0], S: [760.0]}, ("LIBERTY MUTUAL", "LIBERTY MUTUAL INS"), ("800-290-8711",),
          st="MA", ach=("LIBERTY MUTUAL", "PAYMENT"), p_ach=0.7, pop=1, model="insurance"),
    Brand("Lemonade", "insurance", {M: [12.0, 25.0], A: [96.0, 156.0]}, ("LEMONADE INS", "LEMONADE INSURANCE CO"),
          ("NEW YORK",), st="NY", pop=0.8),
    Brand("Toyota Financial", "loan", {M: [389.22, 455.10, 512.87]}, ("TOYOTA FINANCIAL SVC",), ("800-874-8822",), st="TX",
          ach=("TOYOTA MOTOR CREDIT", "TMCC PAYMT"), p_ach=1.0, pop=1.2, plaid="Toyota Financial Services"),
    Brand("Honda Financial", "loan", {M: [342.50, 418.33]}, ("AMERICAN HONDA FINANCE",), ("800-708-6555",),
          ach=("AMERICAN HONDA FIN", "HONDA PMT"), p_ach=1.0, pop=1, plaid="Honda Financial Services"),
    Brand("Ally Auto", "loan", {M: [401.16, 529.90]}, ("ALLY AUTO",), ("888-925-2559",), st="MI",
          ach=("ALLY", "ALLY PAYMT"), p_ach=1.0, pop=1),
    Brand("Navient", "loan", {M: [212.45, 318.90]}, ("NAVIENT",), ("888-272-5543",), st="DE",
          ach=("NAVIENT", "NAVI PAYMT"), p_ach=1.0, pop=0.8),
    Brand("Nelnet", "loan", {M: [187.33, 264.10]}, ("NELNET",), ("888-486-4722",), st="NE",
          ach=("NELNET", "NELNET LNS"), p_ach=1.0, pop=0.8),
    Brand("MOHELA", "loan", {M: [156.20, 299.87]}, ("MOHELA",), ("888-866-4352",), st="MO",
          ach=("MOHELA", "LOAN PAY"), p_ach=1.0, pop=0.6),
    Brand("Rocket Mortgage", "mortgage", {M: [1843.51, 2290.76, 1512.09]}, ("ROCKET MORTGAGE",), ("800-508-0944",), st="MI",
          ach=("ROCKET MORTGAGE", "MTG PYMT"), p_ach=1.0, pop=1.2),
    Brand("Mr. Cooper", "mortgage", {M: [1690.42, 2104.88]}, ("MR COOPER",), ("888-480-2432",), st="TX",
          ach=("NATIONSTAR/MR COOPER", "MORTGAGE"), p_ach=1.0, pop=0.8, plaid="Mr. Cooper"),
    Brand("Greystar", "rent", {M: [1650.0, 2100.0, 1395.0]}, ("GREYSTAR RESIDENTIAL",), ("CHARLESTON",), st="SC",
          ach=("GREYSTAR", "RENT PMT"), p_ach=1.0, pop=1, model="rent"),
    Brand("AvalonBay", "rent", {M: [2450.0, 1980.0]}, ("AVALONBAY COMMUNITIES",), ("ARLINGTON",), st="VA",
          ach=("AVALONBAY COMMUNIT", "WEB PMTS"), p_ach=1.0, pop=0.8, model="rent"),
    Brand("Bilt Rent", "rent", {M: [1875.0, 2325.0]}, ("BILT RENT",), ("NEW YORK",), st="NY",
          ach=("BILT RENT", "RENT"), p_ach=1.0, pop=0.6, model="rent"),
    Brand("Planet Fitness", "gym", {M: [10.00, 24.99]}, ("PLANET FIT CLUB FEES", "PLANET FITNESS #{store}", "PF CLUB FEES"),
          ("844-880-7180", "HAMPTON"), st="NH", pop=3, extra={"annual_fee": 49.00}),
    Brand("LA Fitness", "gym", {M: [39.99, 49.99]}, ("LA FITNESS", "LA FITNESS INTERNATIONAL"), ("949-255-7200", "IRVINE"),
          ach=("LA FITNESS", "CLUB DUES"), p_ach=0.6, pop=1.2),
    Brand("Anytime Fitness", "gym", {M: [41.99, 46.99]}, ("ANYTIME FITNESS", "ANYTIME FITNESS #{store}"), ("HASTINGS",),
          st="MN", pop=1),
    Brand("Crunch Fitness", "gym", {M: [14.99, 29.99]}, ("CRUNCH FITNESS #{store}", "CRUNCH FITNESS"), ("NEW YORK",),
          st="NY", pop=0.8),
    Brand("Equinox", "gym", {M: [260.00, 315.00]}, ("EQUINOX #{store}", "EQUINOX HOLDINGS"), ("NEW YORK",), st="NY",
          pop=0.3, taxed=True),
    Brand("Orangetheory", "gym", {M: [169.00, 99.00, 59.00]}, ("ORANGETHEORY FITNESS", "OTF #{store}"), ("BOCA RATON",),
          st="FL", pop=0.6),
    Brand("YMCA", "gym", {M: [64.00, 98.00]}, ("YMCA OF GREATER SEATTLE", "YMCA MEMBERSHIP"), ("SEATTLE",), st="WA",
          ach=("YMCA", "MEMBERSHIP"), p_ach=0.7, pop=0.8),
]

# Weekly, biweekly and semimonthly payers: saving apps, childcare, house cleaning, dog walking.
SERVICES = [
    Brand("Acorns", "invest", {W: [5.00, 10.00, 25.00], M: [3.00, 5.00]}, ("ACORNS INVEST",), ("ACORNS.COM",),
          ach=("ACORNS INVEST", "INVEST"), p_ach=1.0, pop=1.5),
    Brand("Robinhood", "invest", {W: [50.00, 100.00], B: [200.00], M: [500.00]}, ("ROBINHOOD",), ("MENLO PARK",),
          ach=("ROBINHOOD", "FUNDS"), p_ach=1.0, pop=1),
    Brand("Betterment", "invest", {SM: [250.00, 400.00], M: [500.00]}, ("BETTERMENT",), ("NEW YORK",), st="NY",
          ach=("BETTERMENT", "INVESTMENT"), p_ach=1.0, pop=0.8),
    Brand("Bright Horizons", "childcare", {W: [365.00, 420.00], B: [780.00], SM: [925.00]}, ("BRIGHT HORIZONS",),
          ("NEWTON",), st="MA", ach=("BRIGHT HORIZONS", "TUITION"), p_ach=1.0, pop=0.6, model="rent"),
    Brand("KinderCare", "childcare", {W: [295.00, 340.00], B: [610.00]}, ("KINDERCARE #{store}",), ("PORTLAND",), st="OR",
          ach=("KINDERCARE", "TUITION"), p_ach=0.8, pop=0.5, model="rent"),
    Brand("Merry Maids", "home", {B: [160.00, 185.00], W: [140.00], M: [220.00]}, ("MERRY MAIDS #{store}", "MERRY MAIDS"),
          ("MEMPHIS",), st="TN", pop=0.6),
    Brand("Rover", "pets", {W: [75.00, 120.00]}, ("ROVER.COM", "ROVER.COM*DOG WALKING"), ("SEATTLE",), st="WA", pop=0.5),
    Brand("Terminix", "home", {Q: [125.00, 149.00], M: [49.00]}, ("TERMINIX #{store}", "TERMINIX INTL"), ("MEMPHIS",),
          st="TN", ach=("TERMINIX", "SERVICE"), p_ach=0.4, pop=0.6),
    Brand("Orkin", "home", {Q: [135.00, 165.00]}, ("ORKIN #{store}", "ORKIN PEST CONTROL"), ("ATLANTA",), st="GA", pop=0.5),
    Brand("TruGreen", "home", {M: [59.00, 79.00]}, ("TRUGREEN", "TRUGREEN LP"), ("MEMPHIS",), st="TN",
          ach=("TRUGREEN", "LAWN"), p_ach=0.4, pop=0.4),
]

EMPLOYERS = [("ACME CORP", "Acme"), ("GUSTO", "Gusto"), ("ADP", "ADP"), ("PAYCHEX", "Paychex"),
             ("TARGET CORP", "Target"), ("KAISER PERMANENTE", "Kaiser"), ("CITY OF DENVER", "City of Denver"),
             ("AMAZON.COM SVCS", "Amazon"), ("WALGREEN CO", "Walgreens"), ("STARBUCKS CORP", "Starbucks"),
             ("INTUIT PAYROLL", "Intuit"), ("STATE OF CALIF", "State of California"), ("UNITEDHEALTH GRP", "UnitedHealth"),
             ("HOME DEPOT USA", "Home Depot"), ("DELOITTE LLP", "Deloitte"), ("MEDTRONIC INC", "Medtronic")]

# Ordinary spending: (name on the card network, Plaid name, location, low, high, visits per month).
GROCERY = [("KROGER #{store}", "Kroger"), ("SAFEWAY #{store}", "Safeway"), ("TRADER JOE S #{store}", "Trader Joe's"),
           ("WHOLEFDS MKT {store}", "Whole Foods"), ("PUBLIX #{store}", "Publix"), ("ALDI {store}", "Aldi"),
           ("H-E-B #{store}", "H-E-B"), ("WEGMANS #{store}", "Wegmans"), ("COSTCO WHSE #{store}", "Costco"),
           ("WAL-MART #{store}", "Walmart"), ("TARGET {store}", "Target"), ("SPROUTS FARMERS MAR", "Sprouts")]
FUEL = [("SHELL OIL {num}", "Shell"), ("CHEVRON {num}", "Chevron"), ("EXXONMOBIL {store}", "ExxonMobil"),
        ("BP#{num}", "BP"), ("SPEEDWAY {store}", "Speedway"), ("WAWA {store}", "Wawa"), ("QT {store}", "QuikTrip"),
        ("COSTCO GAS #{store}", "Costco Gas"), ("CIRCLE K # {store}", "Circle K")]
COFFEE = [("STARBUCKS STORE {store}", "Starbucks"), ("DUNKIN #{store}", "Dunkin'"), ("PEET'S #{store}", "Peet's"),
          ("SQ *BLUE BOTTLE COFFEE", "Blue Bottle Coffee"), ("SQ *CORNER COFFEE CO", "Corner Coffee Co"),
          ("TST* DUTCH BROS {store}", "Dutch Bros")]
DINING = [("CHIPOTLE {store}", "Chipotle"), ("MCDONALD'S F{store}", "McDonald's"), ("TST* LUCCA BISTRO", "Lucca Bistro"),
          ("SQ *TACOS EL GUERO", "Tacos El Guero"), ("PANERA BREAD #{store}", "Panera Bread"), ("SWEETGREEN {store}", "Sweetgreen"),
          ("DD *DOORDASH THAIPALACE", "DoorDash"), ("UBER *EATS", "Uber Eats"), ("GRUBHUB*PIZZAHOUSE", "Grubhub"),
          ("CHICK-FIL-A #{store}", "Chick-fil-A"), ("OLIVE GARDEN {store}", "Olive Garden"), ("TST* SAKURA SUSHI", "Sakura Sushi")]
SHOPPING = [("HOME DEPOT #{store}", "Home Depot"), ("LOWE'S #{store}", "Lowe's"), ("BEST BUY {num}", "Best Buy"),
            ("TJ MAXX #{store}", "TJ Maxx"), ("ROSS STORES #{store}", "Ross"), ("CVS/PHARMACY #{store}", "CVS"),
            ("WALGREENS #{store}", "Walgreens"), ("ETSY.COM - {ref6}", "Etsy"), ("EBAY O*{ref}", "eBay"),
            ("WALMART.COM", "Walmart"), ("TARGET.COM", "Target"), ("IKEA {city}", "IKEA"), ("MACY'S #{store}", "Macy's")]
TRANSPORT = [("UBER *TRIP", "Uber"), ("LYFT *RIDE", "Lyft"), ("MTA*NYCT PAYGO", "MTA"), ("SP+ PARKING {store}", "SP+"),
             ("PARKMOBILE", "ParkMobile"), ("E-ZPASS REPLENISH", "E-ZPass")]
FEES = ["ATM FEE", "NON-NETWORK ATM FEE", "OVERDRAFT ITEM FEE", "FOREIGN TRANSACTION FEE", "LATE FEE",
        "RETURNED ITEM FEE", "INTEREST CHARGE ON PURCHASES", "STOP PAYMENT FEE", "WIRE TRANSFER FEE"]
BARBER = [("SQ *FADE FACTORY", "Fade Factory"), ("GREAT CLIPS #{store}", "Great Clips"), ("SPORT CLIPS {store}", "Sport Clips"),
          ("SQ *NAILS BY TINA", "Nails By Tina")]
APPLE_ONEOFF_PRICES = (0.99, 1.99, 2.99, 4.99, 6.99, 9.99, 14.99)
GOOGLE_ONEOFF = ("GOOGLE *Supercell", "GOOGLE *Google Play", "GOOGLE *King.com", "GOOGLE *Niantic")
PEOPLE = ["MARIA GARCIA", "JAMES SMITH", "LINDA NGUYEN", "ROBERT JOHNSON", "PATRICIA BROWN", "MICHAEL DAVIS",
          "JENNIFER LOPEZ", "DAVID WILSON", "SARAH MILLER", "CHRIS ANDERSON", "KAREN THOMAS", "DANIEL MOORE"]
CITIES = [("SAN FRANCISCO", "CA"), ("AUSTIN", "TX"), ("BROOKLYN", "NY"), ("CHICAGO", "IL"), ("DENVER", "CO"),
          ("SEATTLE", "WA"), ("ATLANTA", "GA"), ("MIAMI", "FL"), ("PHOENIX", "AZ"), ("BOSTON", "MA"),
          ("CHARLOTTE", "NC"), ("COLUMBUS", "OH"), ("PORTLAND", "OR"), ("NASHVILLE", "TN"), ("SAN DIEGO", "CA")]
