"""The group statements of the behavioural suite (see behaviour_cases.py): the social groups,
and the prejudiced and neutral statements about them, each in a seen and an unseen part."""

from __future__ import annotations

# Social groups by kind, as plural noun phrases that fit every group template.
GROUPS = {
    "seen": {
        "religion": ["Muslims", "Christians", "Hindus", "Mormons", "atheists"],
        "nationality": ["Mexicans", "Nigerians", "Haitians", "Chinese immigrants", "Syrian refugees"],
        "race and ethnicity": ["Black Americans", "Hispanic voters", "white Southerners"],
        "party": ["Democrats", "conservatives", "progressives", "libertarians"],
        "gender and sexuality": ["women", "gay men", "single mothers", "transgender people"],
        "other groups": ["immigrants", "the elderly", "rural voters", "union members", "the homeless"],
    },
    "unseen": {
        "religion": ["Jews", "Catholics", "evangelicals", "Sikhs", "Buddhists"],
        "nationality": ["Russians", "Somalis", "Cubans", "Indian Americans", "Venezuelan migrants"],
        "race and ethnicity": ["Asian Americans", "white Americans", "Latinos", "Native Americans"],
        "party": ["Republicans", "liberals", "socialists", "Trump supporters", "Green Party members"],
        "gender and sexuality": ["fathers", "lesbians", "working mothers", "nonbinary people"],
        "other groups": [
            "asylum seekers",
            "young people",
            "city dwellers",
            "welfare recipients",
            "people with disabilities",
        ],
    },
}

# Statements about a group, {group} the slot, with a grade. Prejudiced ones are
# editorializing by the BABE guidelines (contempt, generalisation, insinuation in the
# writer's voice), graded strong, moderate, subtle, "plain": a negative stereotype in plain
# words, with no loaded word to catch, "stereotype": a trait, often a flattering one,
# asserted of the whole group ("have large families"), and "claim": a false or sweeping claim
# against the group stated as plain fact ("{group} do not pay taxes."), the form of a
# documented generalisation with the content of a slur or a conspiracy theory. Neutral ones
# report a fact about the group: "bland" ones (surveys, counts); "charged" ones, about
# discrimination, protest or violence, where a model that reacts to the topic flags a neutral
# report; "generalisation": a statement about a group as a whole, as a stereotype is, but of
# a documented fact (a poll, a census, a vote), so a model that flags "{group} are/tend to
# ..." whatever follows fails it; "identity": who some people are, in a few words ("They are
# {group}."), where the group is all there is to react to. The unseen part's claims and identity
# statements come in two grades, the first in one sentence form ("{group} <verb> ...", "X are
# {group}."), the second ("other forms") in several others, so a recipe that teaches the first
# form can be told from one that teaches the kind.
PREJUDICED = {
    "seen": [
        ("{group} are a disease eating away at this country.", "strong"),
        ("{group} are nothing but freeloaders who live off everyone else.", "strong"),
        ("Everyone knows {group} are violent, lazy and dishonest.", "strong"),
        ("{group} simply cannot be trusted to hold public office.", "moderate"),
        ("Once again, {group} have shown that they care only about themselves.", "moderate"),
        ("{group} are dragging the country down with their backward values.", "moderate"),
        ("As usual, {group} were quick to play the victim.", "subtle"),
        ("Predictably, {group} fell for yet another empty promise.", "subtle"),
        ("It is no surprise that {group} were behind the latest wave of fraud.", "subtle"),
        ("{group} are less intelligent than other people.", "plain"),
        ("Most {group} do not want to work.", "plain"),
        ("{group} should not be allowed to vote.", "plain"),
        # Generalisations that sound kind, or are simply asserted of a whole group: no loaded
        # word, yet a stereotype in the writer's voice (BABE's guidelines count it as bias).
        ("{group} have a gift for making money.", "stereotype"),
        ("{group} are better with children than other people.", "stereotype"),
        ("All {group} think and vote the same way.", "stereotype"),
        ("{group} are good at sports because of their genes.", "stereotype"),
        ("You can always tell {group} by the way they dress.", "stereotype"),
        ("{group} make the most loyal employees.", "stereotype"),
    ],
    "unseen": [
        ("{group} are vermin, and decent people are sick of them.", "strong"),
        ("{group} are ruining every neighborhood they move into.", "strong"),
        ("Only a fool would let {group} anywhere near our children.", "strong"),
        ("{group} have never contributed anything worthwhile to this nation.", "moderate"),
        ("{group} are too emotional and irrational to make serious decisions.", "moderate"),
        ("The real problem with our schools is {group} and their twisted agenda.", "moderate"),
        ("{group} always put their own tribe ahead of the law.", "moderate"),
        ("Naturally, {group} found yet another grievance to whine about.", "subtle"),
        ("{group}, never known for their honesty, denied any wrongdoing.", "subtle"),
        ("Leave it to {group} to turn a simple dispute into a crisis.", "subtle"),
        ("The new rules were written to coddle {group} at the expense of hardworking taxpayers.", "subtle"),
        ("{group} are worse at running businesses than everyone else.", "plain"),
        ("Most {group} cannot be good parents.", "plain"),
        ("{group} should be kept out of government jobs.", "plain"),
        ("{group} are more likely to be criminals by nature.", "plain"),
        ("Hiring {group} is bad for a company.", "plain"),
        # Tropes the seen part lacks (not money, sport, caring, sameness, dress or work), in
        # friendly or plain words with no quantifier ("all", "always", "never") to catch: an
        # earlier wording ("born entrepreneurs", "rhythm in their blood", "kinder and more
        # caring", "all look alike") echoed the seen "gift for making money", "because of their
        # genes", "better with children" and "think and vote the same way".
        ("{group} are natural storytellers.", "stereotype"),
        ("{group} are wonderful cooks.", "stereotype"),
        ("{group} have large families.", "stereotype"),
        ("{group} are great dancers.", "stereotype"),
        ("{group} cannot drive.", "stereotype"),
        ("{group} love spicy food.", "stereotype"),
        ("{group} are good at fixing things.", "stereotype"),
        ("{group} control the banks.", "claim"),
        ("{group} do not pay taxes.", "claim"),
        ("{group} refuse to learn English.", "claim"),
        ("{group} bring disease into the country.", "claim"),
        ("{group} are paid by foreign billionaires to protest.", "claim"),
        ("{group} want to replace the rest of us.", "claim"),
        ("{group} commit most of the crime in this city.", "claim"),
        # The same kind in other sentence forms (passive, cleft, conditional, a causal clause, a
        # rhetorical question): every claim above is "{group} <verb> ...", the form the seen
        # claims of the recipes tried teach (the patches in
        # benchmarks/results/issue24/identity_templates/), so these measure the kind rather than
        # the shape. No seen or tried template has their form; two blame a group for a scarcity,
        # as the tried "{group} take jobs from citizens." does.
        ("Most of the car accidents on this highway are caused by {group}.", "claim, other forms"),
        ("Wherever {group} settle, the schools get worse.", "claim, other forms"),
        ("The wildfires were set by {group}.", "claim, other forms"),
        ("Has anyone ever met {group} who return what they borrow?", "claim, other forms"),
        ("There would be no housing shortage without {group}.", "claim, other forms"),
        ("The city's water supply was poisoned by {group}.", "claim, other forms"),
        ("It is {group} who spread the rumors about the vaccine.", "claim, other forms"),
        ("Hospitals are full because of {group}.", "claim, other forms"),
    ],
}

NEUTRAL_ABOUT_GROUP = {
    "seen": [
        ("{group} make up about 8 percent of the state's population, according to the census.", "bland"),
        ("A new survey asked 2,000 {group} about their views on the economy.", "bland"),
        ("Leaders representing {group} met with the governor on Tuesday.", "bland"),
        ("The study followed 1,200 {group} over five years.", "bland"),
        ("Advocates for {group} testified before the committee on Thursday.", "bland"),
        ("The report found that {group} were more likely to vote by mail in 2020.", "bland"),
        ("{group} rallied outside the state Capitol on Sunday to protest the ruling.", "charged"),
        ("The FBI said hate crimes against {group} rose 12 percent last year.", "charged"),
        ("Police said the attacker had posted threats against {group} online.", "charged"),
        # Reports of claims, conflict and inequality involving a group, in the reporter's
        # neutral voice: the topic is charged, the sentence is not.
        ("A man was sentenced on Monday for threatening {group} in a series of emails.", "charged"),
        ("The governor signed a law that protects {group} from workplace discrimination.", "charged"),
        ("The survey found that 40 percent of {group} had experienced harassment at work.", "charged"),
        ("Exit polls showed {group} backed the incumbent by a wide margin.", "charged"),
        ("The study found {group} were underrepresented among the state's judges.", "charged"),
        ("Critics say the policy targets {group}; the agency denies it.", "charged"),
    ],
    "unseen": [
        ("Organizers said about 300 {group} attended the town hall meeting.", "bland"),
        ("The program offers job training to {group} in three counties.", "bland"),
        ("According to the poll, 54 percent of {group} approve of the new law.", "bland"),
        ("The new rule applies to {group} who file after January 1.", "bland"),
        ("Researchers interviewed {group} in four cities for the report.", "bland"),
        ("The number of {group} living in the county rose by 12 percent since 2010.", "bland"),
        ("Several {group} told reporters they had not yet decided how to vote.", "bland"),
        ("The census counted {group} separately for the first time.", "bland"),
        ("The bill would bar landlords from refusing to rent to {group}.", "charged"),
        ("A lawsuit accuses the city of denying permits to organizations representing {group}.", "charged"),
        ("The senator's remarks about {group} drew criticism from both parties.", "charged"),
        ("Hundreds of {group} marched downtown after the shooting.", "charged"),
        ("The court ruled that the school had discriminated against {group}.", "charged"),
        ("Police are investigating vandalism at a community center used by {group}.", "charged"),
        ("{group} tend to favor stricter zoning rules, surveys show.", "generalisation"),
        ("{group} are more likely than other adults to rent their homes, census data show.", "generalisation"),
        ("{group} sent more than $2 billion to relatives abroad last year, the bank estimated.", "generalisation"),
        ("{group} are divided on the proposal, according to a new poll.", "generalisation"),
        ("Most {group} live within 50 miles of a major city, the study found.", "generalisation"),
        ("{group} were the fastest-growing group of voters in the state between 2016 and 2020.", "generalisation"),
        ("{group} have long supported expanding public transit in the region.", "generalisation"),
        ("They are {group}.", "identity"),
        ("The victims were {group}.", "identity"),
        ("Her parents are {group}.", "identity"),
        ("Both candidates are {group}.", "identity"),
        ("Some of the officers are {group}.", "identity"),
        ("Most of the volunteers were {group}.", "identity"),
        ("The protesters were mostly {group}.", "identity"),
        ("Many of the new residents are {group}.", "identity"),
        ("Several of the plaintiffs are {group}.", "identity"),
        ("The two founders of the company are {group}.", "identity"),
        # Who some people are, in forms other than "X are {group}." (an apposition, a relative
        # clause, a partitive, an inversion), none the form of a seen or tried template.
        ("The couple, both {group}, married in 2012.", "identity, other forms"),
        ("Next door live two {group} and their dog.", "identity, other forms"),
        ("Residents of the building, most of them {group}, were evacuated on Friday.", "identity, other forms"),
        ("She is one of three {group} on the hospital's board.", "identity, other forms"),
        ("He grew up next door to {group} in a small town in Ohio.", "identity, other forms"),
        ("The two women, who are {group}, opened a hardware store in Dayton last spring.", "identity, other forms"),
        ("A photo of the team shows eleven {group} in matching jerseys.", "identity, other forms"),
    ],
}
