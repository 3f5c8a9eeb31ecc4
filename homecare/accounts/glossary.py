"""The words of home care commissioning that the pages use, in plain English.

Each term has an anchor (``/glossary/#band``) so a page can link a word to its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    anchor: str
    term: str
    meaning: str


GLOSSARY = (
    Term(
        "band",
        "Band (pricing band)",
        "How far out of town a place is, for paying travel: urban, fringe, rural or isolated "
        "in Leicestershire. Care in rural and isolated places costs more because carers "
        "spend longer driving between visits, so each band has its own hourly rate.",
    ),
    Term(
        "zone",
        "Zone",
        "A part of the county, made of named towns and the areas around them, that "
        "providers are appointed to cover. Each zone has its own providers in tiers.",
    ),
    Term(
        "area",
        "Area",
        "A small neighbourhood or village. Every person's home is in one area, and each "
        "area sits in one zone and one band.",
    ),
    Term(
        "framework",
        "Framework",
        "The council's agreement with the providers that won a tender: the lots, the "
        "providers appointed to each and the rates they are paid. Packages are placed "
        "with providers through a framework.",
    ),
    Term(
        "lot",
        "Lot",
        "One part of a framework, usually one or more zones, with its own appointed providers.",
    ),
    Term(
        "tier",
        "Tier",
        "A provider's place in a lot. Prime (or lead) providers are offered packages first, "
        "then supplementary providers, then back-up providers; specialist providers take "
        "particular needs, and contingency (spot) providers are used when no one else can.",
    ),
    Term(
        "spot-purchase",
        "Spot purchase",
        "Buying one package from a provider outside the usual order of offers, often at an "
        "agreed rate of its own, when no appointed provider has taken it.",
    ),
    Term(
        "package",
        "Package of care",
        "The care one person gets: a weekly timetable of visits, with how long each lasts "
        "and whether it needs one carer or two.",
    ),
    Term(
        "offer",
        "Offer and round",
        "Brokers offer a package to providers in rounds, in the framework's order. Each "
        "offer has a deadline to accept or decline; when no one accepts, the next round "
        "goes out.",
    ),
    Term(
        "contact-hours",
        "Contact hours and carer hours",
        "Contact hours are the time spent with the person. Carer hours count each carer: a "
        "one-hour visit by two carers is one contact hour and two carer hours. Providers are "
        "paid for carer hours.",
    ),
    Term(
        "double-handed",
        "Double-handed visit",
        "A visit that needs two carers at once, for example to move someone safely with a hoist.",
    ),
    Term(
        "hospital-discharge",
        "Hospital discharge",
        "A person leaving hospital who needs care at home before they can go. These are the "
        "most urgent requests, because a bed is held until care starts.",
    ),
    Term(
        "reablement",
        "Reablement",
        "Short-term care, usually after a hospital stay, that helps a person regain the "
        "skills to live at home with less help.",
    ),
    Term(
        "ecm",
        "ECM (electronic call monitoring)",
        "Carers record when they arrive at and leave a person's home with a phone, an app "
        "or a code. The records show whether visits happened, on time and for how long. "
        "The council expects at least 85% of visits to be recorded this way.",
    ),
    Term(
        "visit-log",
        "Visit log",
        "One carer's record of one visit: when they arrived and left, and how it was "
        "recorded. Providers send their visit logs for each four-week period.",
    ),
    Term(
        "reconciliation",
        "Reconciliation",
        "Checking a provider's visit logs against the visits planned for a four-week period "
        "to work out what is paid, under the contract's rules.",
    ),
    Term(
        "exception",
        "Exception",
        "Something found in reconciliation for a person to look at: a missed or late visit, "
        "or a visit typed in by hand. Some need a finance officer to approve or reject them "
        "before they are paid.",
    ),
    Term(
        "cost-of-care",
        "Cost of care",
        "What an hour of home care costs a provider to deliver: wages, travel, mileage, "
        "employment costs, overheads and a surplus. Councils set their rates from it.",
    ),
    Term(
        "rate-card",
        "Rate card",
        "The hourly rates a council pays in each band, from a given date, and the rules for "
        "short visits, weekends and bank holidays.",
    ),
    Term(
        "cqc",
        "CQC",
        "The Care Quality Commission, which registers and inspects care providers and rates "
        "them outstanding, good, requires improvement or inadequate.",
    ),
)
