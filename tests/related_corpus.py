"""A hand-written set of news stories for the related-articles tests (original text).

Eight stories, each told by three articles in different sections (news, analysis,
opinion, business angle …), with different wording, plus unrelated noise pieces
that share everyday news words. ``STORIES`` maps a story name to the guids of its
articles; ``ARTICLES`` holds (section, guid, title, summary, body, categories).
"""

from __future__ import annotations

ARTICLES: list[tuple[str, str, str, str, str, tuple[str, ...]]] = [
    # --- glacier station ---------------------------------------------------------------------
    ("science", "glacier-1", "Alpine glacier station records fastest melt in its history",
     "Sensors on the Rhone glacier measured ice loss of nearly two metres in a single summer.",
     "The monitoring station high on the Rhone glacier logged the steepest melt since its "
     "sensors were installed. Glaciologists said the ice tongue retreated forty metres and "
     "that meltwater runoff doubled in August.", ("Climate", "Alps")),
    ("world", "glacier-2", "Swiss villages brace for meltwater floods below shrinking glacier",
     "Mountain communities in the Valais prepare barriers as the Rhone glacier retreats.",
     "Mayors in the Valais ordered new flood barriers after glaciologists warned that "
     "meltwater lakes forming under the retreating Rhone glacier could burst. The canton "
     "will fund sensors that send alarms to every village.", ("Europe", "Climate")),
    ("opinion", "glacier-3", "What a dying glacier teaches us about patience",
     "The Rhone glacier has been measured for a century; its retreat is now visible in a year.",
     "Every summer volunteers carry instruments to the glacier and every summer the ice "
     "tongue sits further up the valley. The glaciologists who read the meltwater gauges "
     "are not alarmists; they are bookkeepers of a loss.", ("Climate",)),
    # --- night train strike ------------------------------------------------------------------
    ("business", "rail-1", "Night train operator cancels sleeper services as drivers strike",
     "Sleeper trains between Vienna, Munich and Paris stand still for a third night.",
     "The operator of the overnight sleeper network cancelled all departures after train "
     "drivers walked out over rosters. Passengers with couchette tickets were offered "
     "refunds or seats on daytime trains.", ("Transport", "Labour")),
    ("society", "rail-2", "Stranded sleeper passengers camp at Munich station",
     "Travellers whose night trains were cancelled by the drivers' strike spent hours waiting.",
     "Families with couchette bookings slept on benches at Munich central station when the "
     "sleeper departures to Paris and Vienna were cancelled. Station staff handed out "
     "blankets while the drivers' union held a rally outside.", ("Transport",)),
    ("opinion", "rail-3", "The sleeper train revival needs drivers, not just new carriages",
     "Rosters that wreck sleep drove the strike that halted the overnight network.",
     "Governments celebrated the return of night trains with new couchette carriages, but "
     "nobody planned rosters for the drivers who work through the night. The strike is "
     "the bill for that oversight.", ("Transport", "Labour")),
    # --- chess prodigy -----------------------------------------------------------------------
    ("sport", "chess-1", "Twelve-year-old wins city chess open against grandmasters",
     "Lena Okafor beat two grandmasters on her way to the title in Rotterdam.",
     "The twelve-year-old finished the Rotterdam chess open undefeated, beating two "
     "grandmasters with the black pieces. Her Sicilian defence in the final round was "
     "praised by the tournament arbiter.", ("Chess",)),
    ("society", "chess-2", "School chess club celebrates its prodigy with a street party",
     "Classmates of Lena Okafor painted a chessboard on the playground.",
     "The primary school where Lena Okafor learned chess threw a party after her win at "
     "the Rotterdam open. Her first coach said the prodigy still plays blitz with "
     "classmates during breaks.", ("Education", "Chess")),
    ("opinion", "chess-3", "Let chess prodigies be children first",
     "The rush to call Lena Okafor a future world champion helps nobody.",
     "Every prodigy who beats grandmasters at twelve is crowned the next champion within "
     "a week. Okafor's Rotterdam result is remarkable; the tournament circuit should let "
     "her enjoy chess before it becomes a job.", ("Chess",)),
    # --- vineyard wildfire -------------------------------------------------------------------
    ("incidents", "fire-1", "Wildfire sweeps through vineyards near Bordeaux",
     "Firefighters battled flames across three hundred hectares of vines overnight.",
     "A wildfire driven by strong winds burned vineyards and pine forest south of "
     "Bordeaux. Hundreds of firefighters and water bombers fought the flames; two "
     "wineries were evacuated.", ("France", "Fire")),
    ("business", "fire-2", "Bordeaux winemakers count the cost of the vineyard fire",
     "Growers fear the harvest is lost on burned and smoke-tainted vines.",
     "Winemakers whose vineyards burned near Bordeaux say insurance rarely covers smoke "
     "taint, which can spoil grapes that the flames did not touch. The wine board asked "
     "for emergency aid.", ("Wine", "France")),
    ("world", "fire-3", "Europe sends water bombers to fight French wildfire",
     "Aircraft from Spain and Italy joined firefighters near Bordeaux.",
     "Under the European civil protection scheme, Spain and Italy sent water bombers to "
     "help firefighters contain the wildfire that spread through vineyards and pine "
     "forest in the Gironde.", ("Europe", "Fire")),
    # --- lunar probe -------------------------------------------------------------------------
    ("science", "moon-1", "Lunar probe lifts off to map ice at the Moon's south pole",
     "The orbiter carries a radar to look for water ice in shadowed craters.",
     "The probe launched at dawn and will reach lunar orbit in five days. Its radar is "
     "built to detect water ice inside permanently shadowed craters near the south pole, "
     "where future landers may dig.", ("Space",)),
    ("business", "moon-2", "Start-up that built the lunar radar raises new funding",
     "Investors back the company behind the instrument on the south pole probe.",
     "The firm that designed the ice-hunting radar on the lunar probe closed a funding "
     "round after the launch. It hopes to sell radar instruments to landers heading for "
     "the Moon's south pole craters.", ("Space", "Investment")),
    ("world", "moon-3", "Space agencies agree to share lunar south pole data",
     "Maps of water ice from the new probe will be open to all missions.",
     "Several space agencies signed an agreement to share the radar maps of water ice "
     "that the lunar probe will make, so that landers aiming at the south pole craters "
     "can choose safe sites.", ("Space", "Diplomacy")),
    # --- fishing quota -----------------------------------------------------------------------
    ("world", "fish-1", "Baltic states clash over cod and herring quotas",
     "Ministers failed to agree on catch limits after scientists urged deep cuts.",
     "Fisheries ministers from the Baltic states ended talks without a deal on cod and "
     "herring quotas. Marine scientists had advised cutting the herring catch by a third "
     "to let stocks recover.", ("Europe", "Fisheries")),
    ("business", "fish-2", "Herring fleet idle as quota talks stall",
     "Trawler owners in the Baltic say boats will stay in port until limits are set.",
     "Without agreed quotas, trawler crews in Baltic ports cannot plan the herring "
     "season. Fish processors warned of layoffs if the cod and herring talks drag on.",
     ("Fisheries",)),
    ("opinion", "fish-3", "Quotas are not the enemy of Baltic fishermen",
     "Cutting the herring catch now is the only way to have a cod and herring fleet later.",
     "The ministers who reject the scientists' quota advice say they protect fishermen. "
     "Empty nets in a decade would hurt the Baltic fleet far more than a smaller "
     "herring catch today.", ("Fisheries",)),
    # --- stolen manuscript -------------------------------------------------------------------
    ("incidents", "book-1", "Stolen medieval manuscript found in a Leipzig attic",
     "Police recovered the psalter taken from the city museum eleven years ago.",
     "Detectives found the illuminated psalter wrapped in newspaper in an attic in "
     "Leipzig. The medieval manuscript vanished from the museum's reading room during "
     "renovation works.", ("Crime", "Heritage")),
    ("society", "book-2", "Leipzig museum plans exhibition for recovered psalter",
     "Curators say the illuminated pages survived the attic in good condition.",
     "The museum will show the recovered medieval psalter next spring after conservators "
     "check the illuminated pages. Visitors will also learn how detectives traced the "
     "manuscript to the attic.", ("Heritage", "Culture")),
    ("world", "book-3", "Art detectives explain how the Leipzig psalter was traced",
     "An auction catalogue photo put investigators on the manuscript's trail.",
     "A dealer's catalogue showed a page that matched the stolen psalter, and detectives "
     "followed the seller to the Leipzig attic where the medieval manuscript lay hidden.",
     ("Crime", "Heritage")),
    # --- bird flu ----------------------------------------------------------------------------
    ("society", "flu-1", "Bird flu outbreak forces cull on Dutch poultry farms",
     "Health officials ordered the culling of hens on four farms near Barneveld.",
     "Avian influenza was confirmed on four poultry farms near Barneveld, and inspectors "
     "culled the hens to stop the virus spreading. Farms within ten kilometres must keep "
     "birds indoors.", ("Health", "Agriculture")),
    ("business", "flu-2", "Egg prices rise as avian influenza hits poultry farms",
     "Supermarkets warn of shortages after culls in the Netherlands.",
     "Wholesale egg prices jumped after the avian influenza culls on poultry farms around "
     "Barneveld. Retailers expect shortages of free-range eggs while hens are kept "
     "indoors.", ("Agriculture", "Prices")),
    ("science", "flu-3", "Scientists sequence the avian influenza strain from Dutch farms",
     "The virus found in poultry near Barneveld matches a strain carried by wild geese.",
     "Virologists sequenced the bird flu virus from the culled hens and found it closely "
     "related to a strain in migrating geese, which suggests wild birds brought the "
     "influenza to the poultry farms.", ("Health", "Science")),
    # --- noise: unrelated pieces sharing everyday news words ----------------------------------
    ("world", "noise-1", "City council approves new budget after long debate",
     "Officials said the plan keeps taxes flat next year.",
     "The city council voted for the budget late on Tuesday. Officials said spending on "
     "parks and libraries would rise while taxes stay the same.", ("Politics",)),
    ("society", "noise-2", "Volunteers repaint the old lighthouse",
     "The landmark gets its red and white stripes back before winter.",
     "A group of volunteers spent the weekend repainting the lighthouse at the harbour "
     "entrance, funded by a local bakery.", ("Community",)),
    ("sport", "noise-3", "Rowing club wins regional championship",
     "The eight-person crew finished two lengths clear.",
     "The rowing club's first eight won the regional championship on the river, two "
     "lengths ahead of the defending champions.", ("Rowing",)),
    ("business", "noise-4", "Bakery chain opens its fiftieth shop",
     "The family firm plans to hire two hundred staff next year.",
     "The bakery chain opened its fiftieth shop in the old market hall and said it would "
     "hire two hundred people next year.", ("Retail",)),
    ("science", "noise-5", "Botanists count rare orchids in a city park",
     "A survey found more than six hundred flowering plants.",
     "Botanists and volunteers counted rare orchids in the park meadows and found the "
     "population had grown since mowing was reduced.", ("Nature",)),
    ("opinion", "noise-6", "Why our city needs more public benches",
     "Older residents cannot walk far without a place to rest.",
     "A city that wants people on its streets should give them somewhere to sit. "
     "Officials removed benches years ago; it is time to bring them back.", ("Cities",)),
    ("incidents", "noise-7", "Lorry overturns on motorway, no one hurt",
     "Traffic was diverted for six hours while the load was cleared.",
     "A lorry carrying crates of apples overturned on the motorway early on Monday. The "
     "driver was unhurt; police diverted traffic while the road was cleared.", ("Roads",)),
    ("world", "noise-8", "Ministers meet to discuss border crossings",
     "Talks focused on queues at crossings during holidays.",
     "Interior ministers met to discuss long queues at border crossings in the holiday "
     "season and agreed to add staff at the busiest points.", ("Politics",)),
]

STORIES: dict[str, tuple[str, ...]] = {}
for _section, _guid, *_ in ARTICLES:
    _story = _guid.split("-")[0]
    if _story != "noise":
        STORIES.setdefault(_story, ())
        STORIES[_story] = (*STORIES[_story], _guid)
