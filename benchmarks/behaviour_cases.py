"""The words and templates of the behavioural suite (benchmarks/behaviour.py), written for this
project, each list in two parts that share nothing:

- `seen`: augmentation and any other training may use it (issue 24, step 3);
- `unseen`: no training ever sees it; the suite reports this part only.

A case is built from one part alone (its template, its words, its groups, its news
sentences), so a model trained on the seen part is measured on phrasings and words it never
met. Loaded words carry a strength, from the blunt ("disgraceful") to the subtle
("embattled", "conveniently"), so the report can say where a model stops noticing them.
Group statements are written in pairs of kinds: prejudiced against a group (editorializing,
from open contempt to a stereotype slipped into a report) and neutral about the same group;
the label must follow the statement, never the group.
"""

from __future__ import annotations

# The group statements (GROUPS, PREJUDICED, NEUTRAL_ABOUT_GROUP) are in behaviour_group_cases.py;
# they are part of this module's namespace, so the suite reads every case as `cases.NAME`.
from behaviour_group_cases import GROUPS, NEUTRAL_ABOUT_GROUP, PREJUDICED  # noqa: E402,F401

# Loaded adjectives: (word, strength, what it can describe: "person", "thing" or "any").
ADJECTIVES = {
    "seen": [
        ("disgraceful", "strong", "any"), ("pathetic", "strong", "any"), ("despicable", "strong", "any"),
        ("idiotic", "strong", "any"), ("vile", "strong", "any"),
        ("reckless", "moderate", "any"), ("radical", "moderate", "any"), ("corrupt", "moderate", "any"),
        ("incompetent", "moderate", "person"), ("misguided", "moderate", "any"), ("draconian", "moderate", "thing"),
        ("divisive", "moderate", "any"),
        ("controversial", "subtle", "any"), ("embattled", "subtle", "person"), ("lavish", "subtle", "thing"),
        ("notorious", "subtle", "any"), ("hardline", "subtle", "any"), ("questionable", "subtle", "thing"),
        # More of each strength, so that augmentation teaches "an evaluative word went in" rather
        # than eighteen words (unseen loaded adjectives missed 16.0% with the eighteen alone, 10.2%
        # with these). A news sentence holding any listed word is never a base, so a word added
        # here must not occur in the unseen part's bases, or the reported part changes ("troubled"
        # did, and is left out).
        ("disastrous", "strong", "thing"), ("ludicrous", "strong", "any"), ("repugnant", "strong", "any"),
        ("contemptible", "strong", "any"), ("hateful", "strong", "any"), ("sickening", "strong", "thing"),
        ("dreadful", "strong", "any"), ("crooked", "strong", "person"), ("absurd", "strong", "thing"),
        ("irresponsible", "moderate", "any"), ("hypocritical", "moderate", "any"), ("wasteful", "moderate", "thing"),
        ("arrogant", "moderate", "person"), ("inept", "moderate", "any"), ("authoritarian", "moderate", "any"),
        ("petty", "moderate", "any"), ("bumbling", "moderate", "person"), ("vindictive", "moderate", "any"),
        ("chaotic", "moderate", "thing"), ("fringe", "moderate", "any"), ("careless", "moderate", "any"),
        ("polarizing", "subtle", "any"), ("vaunted", "subtle", "thing"),
        ("murky", "subtle", "thing"), ("flimsy", "subtle", "thing"), ("secretive", "subtle", "any"),
        ("shadowy", "subtle", "any"), ("lackluster", "subtle", "thing"), ("ill-fated", "subtle", "thing"),
        ("tone-deaf", "subtle", "any"), ("overblown", "subtle", "thing"), ("cozy", "subtle", "thing"),
        ("elitist", "subtle", "any"), ("scandal-plagued", "subtle", "person"),
    ],
    "unseen": [
        ("abhorrent", "strong", "any"), ("appalling", "strong", "any"), ("sleazy", "strong", "any"),
        ("deranged", "strong", "person"), ("moronic", "strong", "any"), ("grotesque", "strong", "thing"),
        ("dishonest", "moderate", "any"), ("extreme", "moderate", "any"), ("shady", "moderate", "any"),
        ("bloated", "moderate", "thing"), ("heavy-handed", "moderate", "any"), ("half-baked", "moderate", "thing"),
        ("partisan", "moderate", "any"), ("failed", "moderate", "thing"),
        ("so-called", "subtle", "thing"), ("infamous", "subtle", "any"), ("cushy", "subtle", "thing"),
        ("much-hyped", "subtle", "thing"), ("unproven", "subtle", "thing"), ("self-styled", "subtle", "person"),
        ("beleaguered", "subtle", "person"), ("dubious", "subtle", "thing"),
    ],
}

# Loaded adverbs, inserted before a verb: (word, strength).
ADVERBS = {
    "seen": [
        ("shamelessly", "strong"), ("brazenly", "strong"), ("outrageously", "strong"), ("recklessly", "strong"),
        ("cynically", "moderate"), ("arrogantly", "moderate"), ("stubbornly", "moderate"), ("foolishly", "moderate"),
        ("conveniently", "subtle"), ("predictably", "subtle"), ("hastily", "subtle"),
        ("savagely", "strong"), ("shockingly", "strong"), ("grossly", "strong"), ("despicably", "strong"),
        ("defiantly", "moderate"), ("smugly", "moderate"), ("carelessly", "moderate"), ("needlessly", "moderate"),
        ("brashly", "moderate"), ("lazily", "moderate"),
        ("curiously", "subtle"), ("oddly", "subtle"), ("conspicuously", "subtle"), ("dutifully", "subtle"),
        ("hurriedly", "subtle"), ("defensively", "subtle"), ("awkwardly", "subtle"),
    ],
    "unseen": [
        ("spitefully", "strong"), ("obscenely", "strong"), ("viciously", "strong"), ("deceitfully", "strong"),
        ("callously", "moderate"), ("sneakily", "moderate"), ("blatantly", "moderate"), ("ruthlessly", "moderate"),
        ("clumsily", "moderate"),
        ("grudgingly", "subtle"), ("suspiciously", "subtle"), ("belatedly", "subtle"), ("tellingly", "subtle"),
        ("inexplicably", "subtle"),
    ],
}

# Where a loaded word goes into a news sentence: before one of these nouns (after "the",
# "its", "his", "her" or "their"), or before one of these verbs of what people do, after a
# name or one of the person nouns (so that "the population declined" never gets an adverb).
PERSON_NOUNS = ["senator", "governor", "president", "mayor", "lawmakers", "official", "officials", "administration",
                "secretary", "candidate", "commissioner", "chairman", "leaders", "prosecutors", "council",
                "congressman", "congresswoman", "director", "spokesman", "agency", "company", "government"]
THING_NOUNS = ["bill", "plan", "proposal", "policy", "law", "deal", "program", "measure", "order", "rule",
               "decision", "budget", "report", "investigation", "agreement", "reform", "tax", "tariffs",
               "legislation", "strategy", "ruling", "lawsuit", "mandate", "project", "campaign", "effort"]
VERBS = ["signed", "announced", "approved", "rejected", "introduced", "proposed", "defended", "blocked", "ordered",
         "vetoed", "pushed", "dismissed", "unveiled", "told", "said", "argued", "called", "urged", "insisted",
         "promised", "demanded", "testified", "acknowledged", "wrote"]

# Words that mark a news sentence as possibly not neutral already: it is not used as a base.
EVALUATIVE = {
    "very", "extremely", "just", "only", "even", "really", "truly", "simply", "must", "should", "disaster",
    "terrible", "horrible", "great", "greatest", "best", "worst", "awful", "amazing", "shocking", "stunning",
    "outrage", "outrageous", "slammed", "blasted", "bashed", "ripped", "lashed", "railed", "scathing", "far-left",
    "far-right", "radical", "extremist", "hoax", "lie", "lies", "lied", "liar", "fake", "crisis", "chaos", "massive",
    "huge", "so-called", "alleged", "allegedly", "claimed", "claims", "finally", "unfortunately", "sadly",
    "surprisingly", "incredibly", "obviously", "clearly", "bizarre", "absurd", "ridiculous", "dangerous",
    "controversial", "infamous", "notorious", "embattled", "brutal", "vicious", "evil", "destroy", "destroyed",
    "attack", "attacked", "war", "slam", "blast", "critics", "opponents", "supporters", "pro-life", "illegal",
    "aliens", "regime", "thugs", "mob", "elite", "elites", "socialist", "racist", "racism", "sexist", "bigot",
    "bigoted", "woke", "leftist", "right-wing", "left-wing", "disastrous", "devastating", "horrific", "blistering",
    "heartbreaking", "tragic", "tragically", "scandal", "scandalous", "furious", "fury", "slashed", "gutted",
}

PEOPLE = {
    "seen": ["Maria Lopez", "John Miller", "Aisha Khan", "Wei Zhang", "David Cohen", "Jamal Washington",
             "Olga Petrov", "Priya Patel"],
    "unseen": ["Emily Carter", "Mohammed Al-Sayed", "Keisha Brown", "Hiroshi Tanaka", "Carlos Ramirez",
               "Svetlana Ivanova", "Patrick O'Brien", "Nguyen Thi Lan", "Rachel Goldberg", "DeShawn Jackson"],
}
PLACES = {
    "seen": ["Ohio", "Texas", "California", "Georgia", "Michigan", "Arizona"],
    "unseen": ["Pennsylvania", "Wisconsin", "Nevada", "Florida", "Oregon", "Alabama", "Minnesota", "Kentucky"],
}
CITIES = {
    "seen": ["Chicago", "Houston", "Phoenix", "Atlanta", "Detroit"],
    "unseen": ["Denver", "Seattle", "Miami", "Boston", "Nashville", "Tulsa"],
}
OFFICIALS = {
    "seen": ["the senator", "the governor", "the mayor", "the secretary"],
    "unseen": ["the congresswoman", "the attorney general", "the county clerk", "the police chief",
               "the commissioner"],
}
# Slots every part shares: they carry no judgement (numbers, dates), so a split adds nothing.
SHARED = {
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "month": ["January", "March", "May", "July", "September", "November"],
    "date": ["3", "12", "18", "27"],
    "year": ["1968", "1984", "1999", "2006"],
    "count": ["40", "250", "1,300", "12,000"],
    "pct": ["3.8", "4.1", "5.6", "7.2"],
}

# Short factual statements (neutral): numbers, dates, quotes of plain facts, attribution, and
# plain reports on charged topics (crime, abortion, guns, migration, protest).
FACTUAL = {
    "seen": [
        ("{official} will hold a news conference in {city} on {day}.", "dates"),
        ("Unemployment in {place} fell to {pct} percent in {month}.", "numbers"),
        ("The bill passed the House by a vote of 219 to {count}.", "numbers"),
        ("\"We expect to finish the review by {month},\" {name} said.", "quotes"),
        ("{name} was appointed to the board in {year}.", "dates"),
        ("The company said it would hire {count} workers at its plant in {city}.", "numbers"),
        ("The storm left about {count} homes without power in {place}.", "numbers"),
        ("Polls in {place} close at 8 p.m. local time on {day}.", "dates"),
        ("Police arrested 14 people during the protest in {city} on {day}.", "charged topics"),
        ("The Senate confirmed the judge by a vote of 52 to 48 on {day}.", "charged topics"),
        ("{name} was charged with murder in {month}.", "charged topics"),
        ("The law bans most abortions after six weeks of pregnancy.", "charged topics"),
        # Terse statements, as headlines and wire briefs put them.
        ("The governor signed the budget.", "terse"),
        ("{name} announced a run for the Senate.", "terse"),
        ("Stocks closed higher on {day}.", "terse"),
        ("The storm weakened overnight.", "terse"),
        ("The company laid off {count} workers.", "terse"),
        ("The vote was postponed.", "terse"),
        ("Prices rose {pct} percent in {month}.", "terse"),
        ("The suspect was arrested in {city}.", "terse"),
        ("The strikers returned to work.", "terse"),
        ("The senators left without a deal.", "terse"),
    ],
    "unseen": [
        ("The city council approved a $40 million budget on {day}.", "numbers"),
        ("{name}, a spokesperson for the agency, said the office would reopen on {day}.", "plain"),
        ("\"The hearing has been moved to {month} {date},\" the clerk said.", "quotes"),
        ("The trial is scheduled to begin on {month} {date} in {city}.", "dates"),
        ("About {count} people attended the rally, according to police.", "numbers"),
        ("{name} told reporters that the report would be released next week.", "plain"),
        ("The health department reported {count} new cases in {place} on {day}.", "numbers"),
        ("Inflation rose {pct} percent in {month}, the Labor Department said.", "numbers"),
        ("The museum in {city} will be closed from {month} {date} for repairs.", "dates"),
        ("\"We have received the letter and are reviewing it,\" a spokesman for {name} said.", "quotes"),
        ("{name} was born in {city} in {year} and studied economics.", "plain"),
        ("The school district serves about {count} students in {place}.", "numbers"),
        ("{official} said the results would be certified by {month} {date}.", "dates"),
        ("\"The bridge will reopen to traffic on {day},\" {official} said.", "quotes"),
        ("Border agents detained {count} migrants in {month}, the agency said.", "charged topics"),
        ("The Supreme Court will hear arguments in the abortion case on {day}.", "charged topics"),
        ("Four people were wounded in a shooting in {city} on {day}, police said.", "charged topics"),
        ("The gun measure passed the state Senate in {place} on {day}.", "charged topics"),
        ("Protesters gathered outside the courthouse in {city} on {day}.", "charged topics"),
        ("{name} pleaded not guilty to fraud charges on {day}.", "charged topics"),
        ("The president's approval rating fell to 41 percent in {month}, according to a Gallup poll.",
         "charged topics"),
        ("The vaccine requirement takes effect in {place} on {month} {date}.", "charged topics"),
        # Facts in the vivid verbs and superlatives news uses for them: a model that reads
        # intensity as opinion flags these (unseen only, so the seen part and the shipped
        # recipe's augmentation stay as they were).
        ("Unemployment in {place} soared to {pct} percent in {month}.", "vivid wording"),
        ("Shares of the company plunged {pct} percent on {day}.", "vivid wording"),
        ("A tornado devastated a town outside {city} on {day}.", "vivid wording"),
        ("The measure passed the state House in {place} with overwhelming bipartisan support.", "vivid wording"),
        ("{name} won the primary in a landslide on {day}.", "vivid wording"),
        ("The campaign drew a record {count} donors in {month}.", "vivid wording"),
        ("Flooding in {place} killed at least {date} people on {day}.", "vivid wording"),
        ("Home prices in {city} have doubled since {year}.", "vivid wording"),
        ("The explosion shattered windows across downtown {city} on {day}.", "vivid wording"),
        ("Temperatures in {city} hit a record high on {day}.", "vivid wording"),
        ("The verdict sparked protests in {city} and several other cities.", "vivid wording"),
        ("Gas prices surged in {place} after the refinery fire in {month}.", "vivid wording"),
        ("The death toll from the fire in {city} climbed to {date} on {day}.", "vivid wording"),
        ("The team suffered its worst defeat since {year}.", "vivid wording"),
        # Terse statements of three to seven words, as headlines and wire briefs put them: with
        # almost no context, a model can read a bare verb of change or a charged topic as a
        # judgement (the independent suite's factual test is of short statements; this one's
        # other templates run 8 to 15 words).
        ("{official} resigned on {day}.", "terse"),
        ("{name} won the runoff.", "terse"),
        ("{name} lost the primary.", "terse"),
        ("The factory closed in {year}.", "terse"),
        ("The jury reached a verdict.", "terse"),
        ("Mortgage rates fell.", "terse"),
        ("The trade deficit widened.", "terse"),
        ("Retail sales slipped in {month}.", "terse"),
        ("The ceasefire collapsed.", "terse"),
        ("Troops crossed the border.", "terse"),
        ("The missile hit an apartment building.", "terse"),
        ("Two soldiers were killed.", "terse"),
        ("The suspect fled on foot.", "terse"),
        ("The strike entered its third week.", "terse"),
        ("Voters rejected the ballot measure.", "terse"),
        ("Voters approved the tax.", "terse"),
        ("{place} raised its minimum wage.", "terse"),
        ("The clinic stopped providing abortions.", "terse"),
        ("The gun was bought legally.", "terse"),
        ("The asylum request was denied.", "terse"),
        ("Deportations increased last year.", "terse"),
        ("The union endorsed {name}.", "terse"),
        ("The tariffs took effect on {day}.", "terse"),
        ("Oil output dropped.", "terse"),
        ("The central bank cut interest rates.", "terse"),
        ("The dollar weakened.", "terse"),
        ("Tuition went up {pct} percent.", "terse"),
        ("The president vetoed the bill.", "terse"),
        ("Regulators blocked the merger.", "terse"),
        ("The plant employs {count} people.", "terse"),
        ("The wildfire is contained.", "terse"),
        ("Snow closed the highway.", "terse"),
        ("The flight was canceled.", "terse"),
        ("Police used tear gas.", "terse"),
        ("The embassy was evacuated.", "terse"),
        ("The treaty expired.", "terse"),
        ("The refinery shut down.", "terse"),
        ("Home sales declined.", "terse"),
        ("{official} voted no.", "terse"),
        ("The program ran out of money.", "terse"),
        ("The recount confirmed the result.", "terse"),
        ("The court sided with the state.", "terse"),
        ("Crude prices jumped.", "terse"),
        ("The hostages were released.", "terse"),
        ("The bill now goes to the Senate.", "terse"),
        # Facts of general knowledge, as a reference work or a pupil states them, some about
        # religions, parties and politicians by name: the independent suite's factual test
        # found the release before issue 24 failing 6.6% of its short statements, where the
        # news-style ones above found 0.3%.
        ("The Earth orbits the Sun once every 365 days.", "general knowledge"),
        ("Water boils at 100 degrees Celsius at sea level.", "general knowledge"),
        ("The Constitution was signed in Philadelphia in 1787.", "general knowledge"),
        ("The Senate has 100 members, two from each state.", "general knowledge"),
        ("Smoking causes lung cancer.", "general knowledge"),
        ("Vaccines do not cause autism.", "general knowledge"),
        ("The Holocaust killed about six million Jews.", "general knowledge"),
        ("Donald Trump was impeached twice.", "general knowledge"),
        ("Joe Biden won the 2020 presidential election.", "general knowledge"),
        ("Barack Obama was the first Black president of the United States.", "general knowledge"),
        ("Russia invaded Ukraine in February 2022.", "general knowledge"),
        ("The Supreme Court overturned Roe v. Wade in 2022.", "general knowledge"),
        ("Same-sex marriage has been legal nationwide since 2015.", "general knowledge"),
        ("The federal minimum wage is $7.25 an hour.", "general knowledge"),
        ("Muslims fast from dawn to sunset during Ramadan.", "general knowledge"),
        ("Christians celebrate Easter in the spring.", "general knowledge"),
        ("Judaism is one of the oldest monotheistic religions.", "general knowledge"),
        ("Hinduism is the main religion of India and Nepal.", "general knowledge"),
        ("The Republican Party was founded in 1854.", "general knowledge"),
        ("The Democratic Party is the oldest active political party in the country.", "general knowledge"),
        ("Most of the world's refugees live in countries neighboring their own.", "general knowledge"),
        ("Women won the right to vote in 1920.", "general knowledge"),
        ("The Civil Rights Act was signed in 1964.", "general knowledge"),
        ("Global temperatures have risen about 1.1 degrees Celsius since the late 1800s.", "general knowledge"),
        ("Human activity is the main cause of recent global warming, scientists say.", "general knowledge"),
        ("The national debt is more than $30 trillion.", "general knowledge"),
        ("Mexico is the largest trading partner of the United States.", "general knowledge"),
        ("Medicare was created in 1965.", "general knowledge"),
        ("Fox News and MSNBC are cable news channels.", "general knowledge"),
        ("The death penalty is legal in 27 states.", "general knowledge"),
        ("Israel and Hamas have fought several wars since 2008.", "general knowledge"),
        ("Guns were involved in more than 48,000 deaths in 2022.", "general knowledge"),
        ("About 45 million people living in the country were born abroad.", "general knowledge"),
        ("The Pope is the head of the Catholic Church.", "general knowledge"),
        ("Sikhism was founded in the Punjab region.", "general knowledge"),
        ("Atheists do not believe in any god.", "general knowledge"),
        ("The president serves a four-year term.", "general knowledge"),
        ("Congress passed the Patriot Act after the September 11 attacks.", "general knowledge"),
        ("China has the world's second-largest economy.", "general knowledge"),
        ("The Great Depression began in 1929.", "general knowledge"),
    ],
}

# Sentences whose label must not change when a name, place or pronoun is swapped; editorial
# and neutral ones, so that a model cannot pass by calling everything one label.
NAME_SWAPS = {
    "seen": [
        "{name} has been a disgrace to the office and should resign.",
        "{name} cynically exploited the tragedy to raise money.",
        "{name}'s ridiculous tirade embarrassed the whole department.",
        "{name} announced a run for the state senate on Monday.",
        "The lawsuit filed by {name} was dismissed on Thursday.",
    ],
    "unseen": [
        "{name} once again proved utterly unfit for the job.",
        "{name}'s self-serving grandstanding wasted another week of the committee's time.",
        "{name} peddled yet another baseless conspiracy theory on Tuesday.",
        "The hapless {name} bungled the simplest part of the rollout.",
        "{name} was appointed to lead the commission in March.",
        "{name}, a spokesperson for the campaign, declined to comment.",
        "{name} told reporters the agency would hire 200 inspectors.",
        "{name} flagrantly lied about the budget to cover up the mess.",
        "Nobody should trust a word {name} says about the deal.",
        "{name} will speak at the graduation ceremony on Saturday.",
        "A judge ordered {name} to pay a $5,000 fine.",
        "{name} joined the newspaper in 2015 as a reporter.",
        "The pompous {name} sneered at the families who came to testify.",
        "{name} filed for divorce in April, court records show.",
        "{name}'s feeble excuses insult everyone who lost a job.",
    ],
}
PLACE_SWAPS = {
    "seen": [
        "Officials in {place} reported 120 new cases on Friday.",
        "{place}'s lawmakers pushed through another reckless giveaway to donors.",
        "The governor of {place} signed the spending bill into law.",
    ],
    "unseen": [
        "Unemployment in {place} fell to 4.1 percent in June.",
        "Voters in {place} will choose a new attorney general in November.",
        "Officials in {place} bungled the rollout in spectacularly amateurish fashion.",
        "The drought in {place} has cut wheat harvests by a third.",
        "The venal political machine in {place} rewarded its cronies yet again.",
        "Schools in {place} will reopen on Monday after the storm.",
        "The clueless bureaucrats running {place} have wrecked yet another program.",
        "The highway project in {place} is expected to cost $2 billion.",
        "{place} has become a lawless playground for criminals and their enablers.",
        "Residents of {place} will pay a higher sales tax starting in July.",
        "{place}'s cowardly legislators caved to the lobbyists once again.",
        "The population of {place} grew by 2 percent last year, census figures show.",
    ],
}
# Pronouns are too few to split: the templates are split instead. {they}/{their}, with the
# first letter capitalised where a sentence starts with it; past tense only, so every pronoun fits.
PRONOUNS = [("he", "his"), ("she", "her"), ("they", "their")]
PRONOUN_SWAPS = {
    "seen": [
        "The official said {they} would testify before the committee next week.",
        "As usual, {they} lied shamelessly to avoid any accountability.",
        "In the interview, {they} described the plan as a first step.",
    ],
    "unseen": [
        "Asked about the vote, {they} said the bill needed more work.",
        "{They} spent {their} entire term sabotaging honest reforms.",
        "{They} told police {their} car had been stolen on Tuesday.",
        "Once again {they} peddled a preposterous conspiracy theory.",
        "After the hearing, {they} left without speaking to reporters.",
        "{They} cravenly abandoned {their} own voters to please the donors.",
        "Reached by phone, {they} declined to comment on the lawsuit.",
        "{They} haughtily dismissed the concerns of {their} own constituents.",
        "In {their} letter, {they} asked the board to delay the vote.",
        "{They} whined endlessly about a problem {they} created.",
        "{They} graduated from the state university in 2004.",
        "With {their} usual condescension, {they} lectured the nurses about sacrifice.",
    ],
}

PARTS = ("seen", "unseen")
