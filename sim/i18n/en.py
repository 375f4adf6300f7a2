# ruff: noqa: E501  (translation tables: one entry per line reads best)
"""English interface text (the reference table: every key must exist in zh.py and ja.py too)."""

STRINGS: dict[str, str] = {
    # ---- application -------------------------------------------------------------------------
    "app.title": "Private-traffic strategy sandbox",
    "app.language": "Language",
    "app.tagline": "Public vs private traffic, China vs Japan: an agent-based sandbox",
    "nav.compare": "Compare",
    "nav.whatif": "What-if",
    "nav.explore": "Explore",
    "nav.journeys": "Journeys",
    "nav.learn": "Learn",
    "nav.editor": "Scenario editor",
    "app.about": "Agent-based model of consumers moving between public platforms, partners' pools and "
                 "brands' private pools. Numbers are model outputs under stated assumptions, not forecasts.",
    "app.test_mode": "Test size is on: tiny runs for automated tests.",

    # ---- common --------------------------------------------------------------------------------
    "common.days_years": "{days} days ({years} years)",
    "common.uploaded": "{name} (uploaded)",
    "common.caps": "Limits: at most {population} consumers, {days} days and {reps} replicates per scenario; "
                   "uploads up to {upload} MB.",
    "common.population": "Simulated consumers",
    "common.days": "Days simulated",
    "common.reps": "Replicates (seeds)",
    "common.seed": "Root seed",
    "common.settings": "Run settings",
    "common.size_note": "{population} consumers × {days}; each consumer stands for {represents} people.",
    "common.computing": "Simulating {name}…",
    "common.computing_many": "Simulating {n} runs…",
    "common.brand": "Brand",
    "common.scenario": "Scenario",
    "common.money_in": "Money shown in",
    "common.usd": "US dollars (market exchange rates)",
    "common.own_currency": "each market's own currency",
    "common.day": "Day",
    "common.at_day": "Read KPIs at day",
    "common.updated_in": "Updated in {seconds} s.",
    "common.none": "none",
    "common.run": "Run",
    "common.baseline": "Baseline",
    "common.variant": "Your variant",
    "common.delta": "Change",
    "common.download": "Downloads",

    # ---- errors --------------------------------------------------------------------------------
    "error.input": "The input has {n} problems:",
    "error.input_one": "The input has a problem:",
    "error.run_failed": "The run failed ({kind}): {message}",
    "error.too_big": "The file is {size} bytes; uploads are capped at {cap} bytes.",
    "error.need_two": "Pick at least one scenario.",

    # ---- exports -------------------------------------------------------------------------------
    "export.csv": "CSV",
    "export.png": "PNG",
    "export.html": "HTML report",
    "export.png_unavailable": "PNG export is unavailable on this server: {reason}. Use the camera icon above "
                              "the chart to save a PNG from your browser instead.",
    "export.daily_csv": "Daily results (CSV)",
    "export.kpi_csv": "KPIs (CSV)",

    # ---- presets -------------------------------------------------------------------------------
    "preset.china_in_china": "China playbook in China",
    "preset.japan_in_japan": "Japan membership in Japan",
    "preset.china_playbook_in_japan": "China playbook transplanted to Japan",
    "preset.hybrid_in_japan": "Hybrid in Japan",
    "preset.head_to_head_japan": "Head to head in Japan",
    "preset.cross_border_seller": "Cross-border seller",
    "comparison.china_vs_japan": "China vs Japan",
    "comparison.china_vs_japan.about": "Each country's own playbook in its own market: China's private traffic "
                                       "(speed, fission, hard selling) against Japan's membership commerce "
                                       "(consent, points, trust).",
    "comparison.transplant": "The China playbook in Japan",
    "comparison.hybrid": "Hybrid in Japan",
    "comparison.head_to_head": "Head to head in Japan",

    # ---- compare page --------------------------------------------------------------------------
    "compare.title": "China vs Japan: private traffic against membership commerce",
    "compare.title_other": "Compare strategies",
    "compare.setup": "Scenarios and run settings",
    "compare.preset": "Load a comparison",
    "compare.preset_pick": "Choose a preset comparison…",
    "compare.scenarios": "Scenarios compared (the first is the baseline for deltas)",
    "compare.scenarios_help": "Presets, plus any scenario you validated in the Scenario editor.",
    "compare.reps_help": "Each scenario is run this many times with the same seeds (common random numbers); "
                         "bands and ranges show the spread between runs.",
    "compare.reps_note": "{n} replicate runs per scenario.",
    "compare.verdict": "Verdict",
    "compare.verdict_more": "The other findings ({n})",
    "compare.kpis": "Key figures",
    "compare.range": "5–95%: {lo} – {hi}",
    "compare.card_help": "The change is measured against {base}.",
    "compare.tab_time": "Over time",
    "compare.tab_share": "Private share vs 30%",
    "compare.tab_flows": "Flows (Sankey)",
    "compare.tab_costs": "Costs (waterfall)",
    "compare.tab_table": "All KPIs",
    "compare.metric": "Series",
    "compare.mixed_axis": "The markets use different currencies: switch to US dollars to compare money on one axis.",
    "compare.band_note": "Lines are means over {n} runs; shaded bands span the 5th to 95th percentile.",
    "compare.share_note": "Share of sales through the brand's own channel over the previous 30 days. The long-run "
                          "target quoted in the sources is 30% (from 90/10 to 70/30, the Nike example).",
    "compare.flows_note": "People moving between stages from day 1 to day {day} (one representative run). "
                          "Left: where they were; right: where they went.",
    "compare.costs_note": "Revenue up, each cost down, profit at the end: totals from day 1 to day {day} "
                          "(one representative run).",
    "compare.paired": "Paired differences (first minus second column)",
    "compare.paired_note": "{a} minus {b} over the same {n} seeds: mean difference, its 95% confidence interval, and "
                           "in how many runs the first column did better.",
    "compare.col_kpi": "KPI",
    "compare.col_diff": "Mean difference",
    "compare.col_ci": "95% interval",
    "compare.col_wins": "First better in",
    "compare.col_sig": "Clear?",
    "compare.samples_note": "{n} simulated runs behind these figures.",

    # ---- what-if page --------------------------------------------------------------------------
    "whatif.title": "What-if: move the levers",
    "whatif.intro": "Change a strategy's main levers and compare with the unchanged baseline. Both run with the "
                    "same seeds, so differences come from your changes, not from chance.",
    "whatif.base": "Baseline scenario",
    "whatif.brand": "Brand whose levers you move",
    "whatif.reps_help": "One run each is enough to see the direction; add replicates to see the spread (slower).",
    "whatif.levers": "Levers",
    "whatif.levers_note": "money in {currency}",
    "whatif.ad_budget": "Ad budget per day ({currency})",
    "whatif.ad_budget_help": "Daily spend in the public ad auction. Its price (CPM) rises with total demand.",
    "whatif.per_week": "Messages per week to members",
    "whatif.per_week_help": "Too few and members forget you; too many and fatigue brings opt-outs (inverted U).",
    "whatif.quality": "Content quality (0–1)",
    "whatif.quality_help": "Value of a message to the member: good content builds trust, hard selling erodes it.",
    "whatif.referrer_reward": "Referral reward to the referrer ({currency})",
    "whatif.referee_reward": "Referral reward to the new member ({currency})",
    "whatif.reward_help": "Coupons paid per successful referral; rewards on both sides raise sharing and joining.",
    "whatif.points_rate": "Points rate (% of spend)",
    "whatif.points_help": "Points earned per purchase; they raise repeat purchases and stickiness, and cost money "
                          "when redeemed.",
    "whatif.regime": "Consent regime of the market",
    "whatif.regime_help": "Explicit opt-in: marketing e-mail and SMS need a ticked consent that only some "
                          "joiners give (LINE messages are outside the law). Consent at join: the invitation "
                          "asks for consent (PIPL: informed, voluntary, explicit) and the model assumes every "
                          "joiner gave it. Cold SMS to buyers needs consent under both.",
    "whatif.respect": "Respect opt-in (message only consenting members)",
    "whatif.respect_help": "Under explicit opt-in, messaging members who did not consent is unlawful and risks "
                           "complaints, enforcement and fines.",
    "whatif.security": "Security spend per day ({currency})",
    "whatif.security_help": "Lowers the chance of a data breach (response costs, lost trust, mass opt-outs, "
                            "a step on the data law's ladder).",
    "whatif.cold": "Cold messages per week",
    "whatif.cold_help": "Messages to platform buyers who never joined (e.g. SMS to order phone numbers).",
    "whatif.reset": "Back to the baseline",
    "whatif.timing": "Baseline and variant: {reps} run(s) each, updated in {seconds} s (cached runs are instant).",
    "whatif.unchanged": "Move a lever to see its effect against the baseline.",
    "whatif.card_help": "Baseline: {base}",
    "whatif.paired": "The variant beats the baseline on profit in {wins} of {n} paired runs.",
    "whatif.costs_title": "Costs: baseline vs variant",
    "whatif.overrides": "The changes as scenario overrides",
    "whatif.overrides_help": "Paste these into `ptsim run SCENARIO --set …` to reproduce the variant.",

    # ---- journeys page -------------------------------------------------------------------------
    "journeys.title": "Consumer journeys",
    "journeys.intro": "Follow individual simulated consumers: the stage they are in (coloured bars) and what "
                      "happens to them (markers) — awareness, purchases, invitations, messages, referrals, opt-outs.",
    "journeys.tracked": "Consumers followed",
    "journeys.tracked_help": "How many randomly sampled consumers have their every event logged (at most {cap}).",
    "journeys.empty": "No events were logged for this brand: follow more consumers or simulate longer.",
    "journeys.filter": "Show consumers who…",
    "journeys.filter_help": "Only consumers with all the chosen events are shown, the busiest first.",
    "journeys.show": "How many to show",
    "journeys.messages": "Show every message",
    "journeys.messages_help": "Daily group messages can hide the other events; they are off by default.",
    "journeys.matching": "{n} of {total} followed consumers match; showing {shown}.",
    "journeys.none_match": "No followed consumer matches: remove a filter or follow more consumers.",
    "journeys.chart_title": "Stages and events over time",
    "journeys.one": "One consumer, day by day",
    "journeys.consumer": "Consumer",
    "journeys.stage_now": "Stage at the end",
    "journeys.purchases": "Purchases",
    "journeys.spent": "Spent",
    "journeys.messages_got": "Messages received",
    "journeys.col_event": "Event",
    "journeys.col_detail": "Detail",
    "journeys.collapse": "Group repeated events",
    "journeys.tier": "tier {n}",
    "journeys.points": "{n} points",
    "journeys.csv": "All logged events (CSV)",
    "journeys.legend_note": "Bars: stage. Markers: events (hover for details). One simulated consumer stands for "
                            "many real people.",
    "source.none": "—",
    "source.seed": "existing member",
    "source.organic": "followed the brand's content",
    "source.kol": "via a KOL",
    "source.partner": "via a partner's pool",
    "source.interception": "invited at a platform purchase",
    "source.referral": "referred by a friend",
    "channel.ad_aware": "saw an ad",
    "channel.organic_aware": "saw the brand's content",
    "channel.kol_aware": "saw a KOL campaign",
    "channel.partner_aware": "through a partner",

    # ---- learn page ----------------------------------------------------------------------------
    "learn.title": "Learn the concepts",
    "learn.intro": "Each concept comes with a small live simulation ({population} consumers, {days}); change the "
                   "inputs and the chart is recomputed.",
    "learn.pick": "Concept",
    "learn.sweeping": "Running {n} small simulations…",
    "learn.sources": "Sources: Rimaotong (2025), “In private-domain commerce Japan is the originator” (China vs "
                     "Japan membership commerce); ITC (n.d.), “Will private traffic become a trend in China?” "
                     "(public-traffic costs); EO Intelligence (2022), “2022 China private-traffic management "
                     "research report” (the three domains, fatigue); unnamed author (2025), “An encyclopedia of "
                     "private-domain e-commerce” (the six-step method). Laws are cited by name and article in "
                     "docs/glossary.md; docs/MODEL.md gives the source or the assumption behind every number.",
    "learn.domains.title": "Public, other and private domain",
    "learn.domains.body": "**Public domain (公域)**: traffic a brand rents but does not own — marketplaces, "
                          "short-video and social platforms, ad auctions. Competition makes it dearer every year.\n\n"
                          "**Other domain (它域)**: pools owned by other brands or partners, reached by buying access "
                          "or swapping resources — cheaper and more trusted reach.\n\n"
                          "**Private domain (私域)**: people the brand can reach again and again at almost no cost — "
                          "WeChat groups, LINE accounts, member sites. It is a flow, not a stock: it keeps exchanging "
                          "people with the public domain, and its source is still the public domain.",
    "learn.domains.chart": "Where new pool members come from (hybrid strategy in Japan)",
    "learn.domains.public": "From the public domain (content, KOLs, invitations at purchase)",
    "learn.domains.other": "From the other domain (partner pools)",
    "learn.domains.private": "From the private domain (members' referrals)",
    "learn.domains.notice": "In this run, {public} of new members came from the public domain, {other} from "
                            "partners' pools and {private} from members' referrals.",
    "learn.six_steps.title": "The six-step method",
    "learn.six_steps.body": "The operating method of private traffic: **(1) ad placement → (2) diversion into the "
                            "pool (引流) → (3) retention (留存) → (4) activation (促活) → (5) fission (裂变) → "
                            "(6) conversion (转化)**.\n\nA member is worth their own purchases *plus* the people "
                            "they bring in — fission is what separates private traffic from the classic funnel "
                            "(AIDMA → AISAS). The rule of thumb is 80% of effort on trust and service, 20% on selling.",
    "learn.six_steps.chart": "How many people each step touched",
    "learn.six_steps.step1": "1 Made aware",
    "learn.six_steps.step2": "2 Joined the pool",
    "learn.six_steps.step3": "3 Still active at the end",
    "learn.six_steps.step4": "4 Bought after a message",
    "learn.six_steps.step5": "5 Referred by a member",
    "learn.six_steps.step6": "6 Private-channel purchases",
    "learn.six_steps.notice": "{aware} people became aware of the brand, {joins} joined its pool and {referrals} "
                              "came through members' referrals (log scale).",
    "learn.fatigue.title": "Fatigue and the best frequency",
    "learn.fatigue.body": "Every message adds to a consumer's **fatigue**, which fades over about a week. A message "
                          "can trigger a purchase — more likely with good content and trust, less likely when "
                          "fatigued — and can also make the member **opt out**, more likely as fatigue passes their "
                          "tolerance.\n\nSo profit against messages per week is an **inverted U**: too few and "
                          "members drift away, too many and they leave. Move the content-quality slider: better "
                          "content moves the best frequency.",
    "learn.fatigue.chart": "Profit and opt-outs against messages per week (China market)",
    "learn.fatigue.best": "best: {n}/week",
    "learn.fatigue.notice": "Here the most profitable frequency is {best} messages a week ({profit}); at {worst} a "
                            "week members opt out at {unsubs} per 1,000 messages.",
    "learn.fission.title": "Fission and the K-factor",
    "learn.fission.body": "In **fission (裂变)** members share with friends, and rewards on **both sides** — a "
                          "coupon for the referrer and one for the new member — make sharing and joining more "
                          "likely.\n\nThe **K-factor** is how many new members each member brings in. Below 1, "
                          "referrals multiply a start of S members to S / (1 − K) in total and then stop; at 1 or "
                          "more, growth sustains itself. Rewards cost money, so the most profitable reward is "
                          "usually well below the one that maximises K.",
    "learn.fission.chart": "K-factor and profit against the referral reward (each side, China market)",
    "learn.fission.reward": "Reward per side ({currency})",
    "learn.fission.k1": "K = 1: self-sustaining",
    "learn.fission.notice": "The highest K-factor here is {k}: once referral chains run their course, each member "
                            "won directly brings the pool to about {mult} members. Profit peaks at a reward of "
                            "{reward} {currency} per side.",
    "learn.membership.title": "Membership points and tiers",
    "learn.membership.body": "Japan's **membership commerce (会員制)** keeps customers with **points** (1 point per "
                             "100 yen is the retail norm), **tiers** with member prices, birthday perks and paid "
                             "membership. Points raise the purchase rate and lower the chance that a customer "
                             "drifts away — more so for consumers with a strong appetite for points — and cost "
                             "money when redeemed (points never redeemed are breakage).",
    "learn.membership.chart": "Active members and profit against the points rate (Japan market)",
    "learn.membership.norm": "1%: Japanese norm",
    "learn.membership.notice": "Active members at the end: {a0} without points, {a1} at 1%, {a5} at 5%.",
    "learn.consent.title": "Consent law in China and Japan",
    "learn.consent.body": "**China**: the Personal Information Protection Law (PIPL, 2021) asks for **informed, "
                          "voluntary and explicit** consent (arts. 13–14), separate consent for giving data "
                          "to others, and an easy way to withdraw. Commercial SMS needs the recipient's consent "
                          "(Advertising Law art. 43; MIIT SMS rules, 2015, with fines of CNY 10,000–30,000). "
                          "Joining a group is not by itself consent to marketing.\n\n**Japan**: the Specified "
                          "E-mail Act requires **opt-in** for marketing e-mail and SMS; LINE official-account "
                          "messages are generally outside it (they are not e-mail under the Act, and the "
                          "user adds the account and can block it). APPI governs how personal data is acquired, "
                          "used and shared (a stated purpose, consent before giving data to third parties, "
                          "breach reports since 2022); it has no fine for a breach itself. The fines of up "
                          "to ¥30M and ¥100M for a company are maxima after a regulator's order is ignored; "
                          "the usual sequence is guidance, then an order (FY2012: about 5,500 warnings, 8 "
                          "orders). A leak costs response money, trust and members.\n\nThe model simplifies "
                          "this: each channel says which law covers it (e-mail and SMS inside, LINE outside); "
                          "China's regime is “consent at join” (the invitation asks for consent and every "
                          "joiner is assumed to give it), and cold SMS to buyers is a violation in both markets. "
                          "Complaints about violations bring regulator actions that climb a ladder: warnings, "
                          "a published order, and a fine only for violations after the order. The chart runs "
                          "the China playbook — cold SMS to order numbers, messages without consent — in "
                          "Japan under each regime.",
    "learn.consent.chart": "The China playbook in Japan under each consent regime",
    "learn.consent.notice": "Under explicit opt-in the playbook sent {viol} unlawful messages and drew {enf} "
                            "enforcement actions in this small run (enforcement is rare and random: try a longer run "
                            "on the What-if page).",

    # ---- editor page ---------------------------------------------------------------------------
    "editor.title": "Scenario editor",
    "editor.intro": "Write or upload a scenario in YAML. It is checked as you type; every problem is listed with "
                    "its field path. A valid scenario can be added to the comparison and used on every page.",
    "editor.start": "Start from a preset",
    "editor.start_pick": "Choose a preset…",
    "editor.upload": "Upload a scenario (YAML)",
    "editor.upload_help": "A .yaml file of at most {cap} MB. Files are parsed safely: no code is ever run.",
    "editor.not_text": "The file is not UTF-8 text; expected a YAML scenario.",
    "editor.yaml": "Scenario (YAML)",
    "editor.yaml_help": "`extends: markets/japan` or `strategies/hybrid` reuse a preset; your keys override it.",
    "editor.invalid": "The scenario has {n} problem(s):",
    "editor.whole": "(whole file)",
    "editor.found": " — found {value}",
    "editor.valid": "Valid: “{name}”, {brands} brand(s), {population} consumers, {days} days, market {market} "
                    "({regime}).",
    "editor.capped": "The dashboard runs at most {population} consumers and {days} days; larger settings are "
                     "reduced when this scenario runs here (use the CLI for bigger runs).",
    "editor.save_as": "Name in this session",
    "editor.use": "Add to the comparison",
    "editor.added": "“{name}” was added: it is now on the Compare page and can be picked on What-if and Journeys.",
    "editor.download_text": "This YAML",
    "editor.download_resolved": "Resolved scenario (every field)",
    "editor.download_schema": "JSON Schema (for editors)",
    "editor.col_path": "Field path",
    "editor.col_message": "Problem",
    "editor.col_value": "Value found",
    "editor.help_title": "How scenario files work",
    "editor.help": "A scenario has `name`, `run` (days, population, seed, journeys), `market` and `brands` (each "
                   "with a `strategy`). `extends:` pulls in a preset at any level — e.g. `extends: markets/china` "
                   "under `market:` — and the keys you write override it. Unknown keys are errors with a “did you mean” hint; every "
                   "number is checked against its range. Run `ptsim schema` for the full JSON Schema.",

    # ---- explore page --------------------------------------------------------------------------
    "explore.title": "Explore: sweeps, sensitivity, optimiser",
    "explore.intro": "Many small runs with common random numbers. Pick a tool, set the ranges and press Run; "
                     "results stay until you change the inputs.",
    "explore.size_help": "Analyses run many simulations, so the default size is small; larger sizes are less noisy "
                         "but slower.",
    "explore.tool": "Tool",
    "explore.sweep": "2-D sweep",
    "explore.sensitivity": "Sensitivity",
    "explore.optimise": "Optimiser",
    "explore.sweep_about": "Every combination of two levers on a grid; the heatmap shows a KPI in each cell and "
                           "the star marks the best cell for the objective.",
    "explore.sensitivity_about": "Which inputs matter most? Sobol indices split the variance of a KPI between "
                                 "the inputs (with interactions); Morris screening ranks them cheaply. The tornado "
                                 "moves each input alone from its low to its high end.",
    "explore.optimise_about": "Differential evolution searches the levers for the best mean of a KPI over common "
                              "seeds, subject to constraints on other KPIs; the optimum is re-checked on fresh seeds.",
    "explore.x": "First lever (horizontal axis)",
    "explore.y": "Second lever",
    "explore.low": "From",
    "explore.high": "To",
    "explore.objective": "Objective",
    "explore.points": "Values per lever",
    "explore.runs": "{n} simulations.",
    "explore.run": "Run",
    "explore.stale": "Showing the last result; the inputs have changed since — press Run to update.",
    "explore.show_kpi": "Show in the heatmap",
    "explore.heatmap_title": "{kpi} across the grid",
    "explore.best": "Best cell: {x} = {xv}, {y} = {yv} — {kpi} {value}.",
    "explore.params": "Inputs and their ranges",
    "explore.method": "Method",
    "explore.method_sobol": "Sobol",
    "explore.method_morris": "Morris",
    "explore.kpi": "KPI",
    "explore.n_sobol": "Sobol base sample N (a power of two)",
    "explore.n_morris": "Morris trajectories",
    "explore.need_two": "Choose at least two inputs.",
    "explore.tornado_title": "Tornado: {kpi} with each input at its low or high end",
    "explore.at_low": "Input at its low end",
    "explore.at_high": "Input at its high end",
    "explore.indices_title": "Share of the variance explained",
    "explore.morris_title": "Morris μ* (mean absolute elementary effect)",
    "explore.st": "Total order (with interactions)",
    "explore.s1": "First order (alone)",
    "explore.share_variance": "share of variance",
    "explore.sens_top": "{param} matters most for {kpi} over these ranges.",
    "explore.sens_note": "With a small N the indices are rough (see the error bars); raise N for firmer answers.",
    "explore.levers": "Levers to optimise and their ranges",
    "explore.constraints": "Constraints (comma-separated)",
    "explore.constraints_help": "Bounds on KPI means, e.g. unsubs_per_1000<=4, fines==0, pool_size>=20000.",
    "explore.generations": "Generations",
    "explore.popsize": "Population per lever",
    "explore.opt_found": "Best {kpi} found: {value} (mean over the search seeds), with every constraint met.",
    "explore.opt_infeasible": "No candidate met every constraint; the least-violating one is shown ({kpi} {value}).",
    "explore.col_lever": "Lever",
    "explore.col_best": "Optimum",
    "explore.col_range": "Range searched",
    "explore.at_bound": "Note: {note} — the best value may lie outside the range.",
    "explore.best_so_far": "Best so far",
    "explore.convergence": "Convergence of the search",
    "explore.generation": "Generation",
    "explore.validation": "Re-check on fresh seeds",
    "explore.validation_note": "The optimum re-run with seeds the search never saw (free of selection bias).",
    "lever.messaging.per_week": "Messages per week",
    "lever.messaging.quality": "Content quality",
    "lever.acquisition.ad_budget_per_day": "Ad budget per day",
    "lever.referral.referrer_reward": "Referrer reward",
    "lever.referral.referee_reward": "New-member reward",
    "lever.membership.points_rate": "Points rate",
    "lever.compliance.security_per_day": "Security spend per day",
    "lever.compliance.cold_outreach_per_week": "Cold messages per week",
    "lever.interception.invite_share": "Share of orders with an invitation",
    "lever.interception.hook_value": "Hook value (red packet, sample)",
    "lever.referral.share_rate": "Base daily share rate",

    # ---- units ---------------------------------------------------------------------------------
    "unit.people": "people",
    "unit.fraction": "share",
    "unit.0-1": "0–1",
    "unit.messages": "messages",
    "unit.count": "count",
    "unit.ratio": "ratio",

    # ---- stages, events, money, regimes --------------------------------------------------------
    "stage.unaware": "Unaware",
    "stage.aware": "Aware",
    "stage.customer": "Customer",
    "stage.member": "Member",
    "stage.lapsed": "Lapsed",
    "event.none": "—",
    "event.aware": "Became aware",
    "event.forgot": "Forgot the brand",
    "event.bought_public": "Bought on a platform",
    "event.bought_private": "Bought in the private channel",
    "event.invited": "Invited to the pool",
    "event.declined": "Declined the invitation",
    "event.joined": "Joined the pool",
    "event.message": "Received a message",
    "event.cold_message": "Received a cold message",
    "event.opted_out": "Opted out",
    "event.shared": "Shared with friends",
    "event.referred_friend": "Brought in a friend",
    "event.lapsed": "Relationship lapsed",
    "event.won_back": "Won back",
    "event.points_redeemed": "Redeemed points",
    "event.tier_up": "Moved up a tier",
    "event.birthday_perk": "Birthday perk",
    "event.left_after_breach": "Left after a data breach",
    "money.revenue_public": "Platform sales",
    "money.revenue_private": "Private-channel sales",
    "money.membership_fees": "Membership fees",
    "money.cogs": "Cost of goods",
    "money.platform_commission": "Platform commission",
    "money.payment_fees": "Payment fees",
    "money.ad_spend": "Ads",
    "money.content_cost": "Content",
    "money.kol_fees": "KOL fees",
    "money.partner_fees": "Partner fees",
    "money.hooks": "Hooks (red packets, samples)",
    "money.invite_costs": "Invitations",
    "money.message_costs": "Messages",
    "money.operator_staff": "Pool operators",
    "money.saas": "Software (SaaS)",
    "money.referral_rewards": "Referral rewards",
    "money.distribution_commission": "Distribution commission",
    "money.points_redeemed": "Points redeemed",
    "money.member_discounts": "Member discounts",
    "money.birthday_perks": "Birthday perks",
    "money.security": "Security",
    "money.fines": "Fines",
    "regime.explicit_opt_in": "Explicit opt-in (Japan)",
    "regime.implied_consent_with_easy_exit": "Implied consent with easy exit (China)",

    # ---- KPIs ----------------------------------------------------------------------------------
    "kpi.pool_size": "Pool size",
    "kpi.active_members": "Active members (90 d)",
    "kpi.members_joined": "Members joined",
    "kpi.customers": "Live customers (incl. members)",
    "kpi.opt_outs": "Opt-outs",
    "kpi.complaints": "Complaints",
    "kpi.violations": "Unlawful messages",
    "kpi.enforcements": "Enforcement actions",
    "kpi.breaches": "Data breaches",
    "kpi.fines": "Fines",
    "kpi.revenue": "Revenue",
    "kpi.revenue_private": "Private-channel revenue",
    "kpi.private_share": "Private share of revenue",
    "kpi.profit": "Profit",
    "kpi.marketing_spend": "Marketing spend",
    "kpi.marketing_roi": "Marketing ROI",
    "kpi.cac": "CAC",
    "kpi.cost_per_member": "Cost per member",
    "kpi.member_ltv": "Member LTV (discounted)",
    "kpi.ltv_cac": "LTV / CAC (all acquisition spend)",
    "kpi.payback_month": "Payback month",
    "kpi.k_factor": "K-factor",
    "kpi.viral_share": "Viral share of joins",
    "kpi.response_rate": "Purchases per seen message",
    "kpi.unsubs_per_1000": "Opt-outs per 1,000 sends",
    "kpi.mean_trust": "Mean member trust",
    "kpi.mean_fatigue": "Mean member fatigue",
    "kpi.mean_cpm": "Mean CPM paid",

    # ---- series --------------------------------------------------------------------------------
    "metric.member": "Pool size (members)",
    "metric.active_members": "Active members (bought in 90 days)",
    "metric.customers": "Live customers (incl. members)",
    "metric.cum_profit": "Cumulative profit",
    "metric.cum_revenue": "Cumulative revenue",
    "metric.profit_30d": "Profit over the last 30 days",
    "metric.private_share_30d": "Private share of revenue (30-day)",
    "metric.mean_trust": "Mean member trust",
    "metric.mean_fatigue": "Mean member fatigue",
    "metric.cum_joins": "Members joined (cumulative)",
    "metric.cum_opt_outs": "Opt-outs (cumulative)",
    "metric.cum_complaints": "Complaints (cumulative)",
    "metric.cum_fines": "Fines (cumulative)",
    "metric.cpm": "CPM paid",

    # ---- figures -------------------------------------------------------------------------------
    "fig.day": "Day",
    "fig.band": "{label} (5–95%)",
    "fig.target_30": "30% target (90/10 → 70/30)",
    "fig.flow_hover": "{a} → {b}",
    "fig.no_flows": "No moves between stages in this period",
    "fig.profit": "Profit",
    "fig.sankey_title": "Flows between stages",
    "fig.waterfall_title": "From revenue to profit",

    # ---- verdict -------------------------------------------------------------------------------
    "verdict.when": "by day {day} ({years} years)",
    "verdict.single": "{label} ends {when} with a profit of {profit}, {pool} pool members and a private share "
                      "of revenue of {share}.",
    "verdict.profit_lead": "{lead} makes more profit {when}: {v_lead} against {v_other} for {other}",
    "verdict.sure": " — ahead in {wins} of {n} paired runs (95% interval of the difference: {range}).",
    "verdict.unsure": " — but the difference is within the run-to-run noise at this size ({wins} of {n} paired "
                      "runs ahead; 95% interval of the difference: {range}).",
    "verdict.one_run": " (one run: add replicates to see how sure this is).",
    "verdict.loss_lead": "{lead} loses less {when}: {v_lead} against {v_other} for {other}",
    "verdict.ranking": "Ranking on profit: {order}.",
    "verdict.all_loss": "No strategy has turned a profit {when}.",
    "verdict.ahead_throughout": "{label} stays ahead on cumulative profit over the whole period.",
    "verdict.crossover": "{early} is ahead on cumulative profit until day {day} (month {month}); {late} leads "
                         "from then on.",
    "verdict.payback": "{label} repays its early losses in month {month}.",
    "verdict.not_repaid": "{label} has not repaid its costs {when}.",
    "verdict.pool": "{a} builds the larger private pool: {pa} members against {pb} for {b}.",
    "verdict.viral": "Fission works for {label}: {viral} of its new members came through referrals "
                     "(K-factor {k}: each member brings {k} others).",
    "verdict.k_above_1": "Fission is self-sustaining for {label}: K-factor {k} ≥ 1, and {viral} of its new members "
                         "came through referrals.",
    "verdict.share_reached": "{label} reaches the 30% private-revenue mark (30-day share) on day {day}; over the "
                             "period, {share} of its sales went through the private channel.",
    "verdict.share_below": "{label} stays below the 30% private-revenue mark: {share} of its sales went through "
                           "the private channel.",
    "verdict.trust": "Why: hard selling and message fatigue wear down {lo} — member trust ends at {t_lo} against "
                     "{t_hi} for {hi}, with {u_lo} opt-outs per 1,000 messages against {u_hi} (industry band: 1–4).",
    "verdict.single_trust": "{label}: member trust ends at {trust}, with {unsubs} opt-outs per 1,000 messages "
                            "(industry band: 1–4).",
    "verdict.ltv": "Per member, {a} earns {ltv_a} of discounted contribution for {cpm_a} spent to win a member; "
                   "{b} earns {ltv_b} for {cpm_b}.",
    "verdict.cost_gap": "The biggest difference in costs is {item}: {sa} of revenue for {a} against {sb} for {b}.",
    "verdict.fines": "{label} was fined {fines} ({enf} regulator actions after {viol} messages sent without "
                     "consent); published orders and penalties cost it members' trust.",
    "verdict.breach": "{label} suffered {n} data breaches on average: response costs, lost trust and mass "
                      "opt-outs.",
    "verdict.usd": "Money is compared in US dollars at {rates}.",
    "verdict.reps_note": "Figures are means over {n} replicate runs with common random numbers.",

    # ---- report --------------------------------------------------------------------------------
    "report.meta": "{population} simulated consumers · {days} days · {reps} replicate run(s) · "
                   "generated {created} · sandbox v{version}",
    "report.verdict": "Verdict",
    "report.kpis_at": "KPIs at day {day}",
    "report.in_usd": "money in US dollars",
    "report.ranges_note": "Values are means over replicate runs, with the 5–95% range in brackets.",
    "report.over_time": "Over time",
    "report.flows_costs": "Flows and costs",
    "report.one_run_note": "Flows and costs are shown for one representative run.",
    "report.scenarios": "Scenarios",
    "report.sc_market": "Market",
    "report.sc_regime": "Consent regime",
    "report.sc_people": "Consumers × people each",
    "report.sc_ads": "Ad budget per day",
    "report.sc_messages": "Messages per week / quality",
    "report.sc_referral": "Referral rewards (referrer / referee)",
    "report.sc_points": "Points rate",
    "report.sc_cold": "Cold messages per week",
    "report.sc_security": "Security spend per day",
    "report.sc_seed": "Seed",

    # ---- decisions: execution, attribution, robustness, risk, cohorts, budgets (issues 15, 11, 17) ----
    "paired.when": "at day {day}",
    "paired.undefined": "{kpi}{when}: undefined in every seed",
    "paired.tie": "{kpi}{when}: {a} and {b} tie in all {n} seeds",
    "paired.beats": "{lead} beats {other} on {kpi_lower}{when} in {wins} of {n} seeds; {lead} minus {other}: {diff} "
                    "on average ({pct}% CI {low} to {high}, {method})",
    "paired.method.t": "paired t",
    "paired.method.bootstrap": "bootstrap",
    "why.lead": "{lead} leads {other} by {gap} in profit{interval}; the lead comes mostly from {items}.",
    "why.interval": " (95% interval {low} to {high} over {n} paired runs)",
    "why.part": "{name} ({value}, {share} of the gap)",
    "why.sep": "; ",
    "why.against": "Working against {lead}: {items}.",
    "why.mechanisms": "By mechanism, for the lead: {pro}; against it: {con}.",
    "why.nothing": "nothing",
    "mechanism.purchase": "Purchases",
    "mechanism.membership": "Membership",
    "mechanism.acquisition": "Acquisition",
    "mechanism.interception": "Interception",
    "mechanism.messaging": "Messaging",
    "mechanism.operations": "Operations",
    "mechanism.referral": "Referral",
    "mechanism.compliance": "Compliance",
    "mechanism.other": "Other",
    "money.other": "Other items",
    "money.total": "Profit gap",
    "decide.flip": "The verdict on {kpi} between {a} and {b} flips at {lever} = {flip}: A − B is {d_low} at {low} and "
                   "{d_high} at {high}; between {i_low} and {i_high} the {pct}% interval of the difference contains "
                   "zero (unsure).",
    "decide.no_flip": "No flip in the range: over {lever} = {low} … {high}, {a} − {b} on {kpi} stays on one side "
                      "({d_low} at {low}, {d_high} at {high}).",
    "decide.target_hit": "{a} reaches {kpi} = {target} at {lever} = {flip} ({kpi} is {v_low} at {low} and {v_high} at "
                         "{high}); between {i_low} and {i_high} the {pct}% interval still contains {target} (unsure).",
    "decide.target_none": "None in the range: over {lever} = {low} … {high}, {a} never reaches {kpi} = {target} "
                          "({v_low} at {low}, {v_high} at {high}).",
    "nav.decide": "Decide",
    "decide.title": "Decide: which option, how sure, and why",
    "decide.intro": "Paired runs with common random numbers: each option meets the same luck, so differences come "
                    "from the choice. Every figure shows its interval over replicate runs.",
    "decide.tool": "Question",
    "decide.tool_two": "Two options",
    "decide.tool_breakeven": "Break-even",
    "decide.tool_robust": "Robustness",
    "decide.tool_risk": "Risk",
    "decide.about_two": "One lever at two values (say 3 or 7 messages a week): who wins, in how many paired runs, "
                        "and why, as the profit gap split by ledger item.",
    "decide.about_breakeven": "The value of a lever or market assumption at which the verdict flips (with its "
                              "interval), or at which a KPI reaches a target (e.g. the referral reward that makes "
                              "fission self-sustaining, K = 1). Says so when there is none in the range.",
    "decide.about_robust": "Which market assumptions move the profit gap A − B most, and whether any of them flips "
                           "it within its range (Morris screening on the paired difference).",
    "decide.about_risk": "Chance of a loss at the horizon, profit percentiles and the month the strategy breaks "
                         "even, over replicate runs.",
    "decide.lever": "Lever",
    "decide.value_a": "Option A value",
    "decide.value_b": "Option B value",
    "decide.option_a": "Option A",
    "decide.option_b": "Option B",
    "decide.by": "Split the gap by",
    "decide.by_item": "ledger item",
    "decide.by_mechanism": "mechanism",
    "decide.waterfall_title": "Why: profit gap {a} − {b}, with 95% intervals",
    "decide.mode": "Find",
    "decide.mode_versus": "where A stops beating B",
    "decide.mode_target": "where a KPI reaches a target",
    "decide.scenario_a": "Scenario A",
    "decide.scenario_b": "Scenario B",
    "decide.kpi": "KPI",
    "decide.target": "Target",
    "decide.lever_or_assumption": "Lever or assumption",
    "decide.both_note": "A market assumption is set on both A and B (both live under the same market).",
    "decide.breakeven_title": "Where the verdict flips",
    "decide.breakeven_note": "{runs} runs: {points} values of the input, {reps} common seeds each.",
    "decide.diff_axis": "{kpi}, A − B",
    "decide.assumptions": "Assumptions to vary",
    "decide.robust_title": "Profit gap A − B at each end of each assumption",
    "decide.robust_flips": "The verdict flips within the range of: {params}. Run a break-even on it to find where.",
    "decide.robust_holds": "No single assumption flips the verdict within its range; the one that moves it most is "
                           "{top}.",
    "decide.p_loss": "Chance of a loss",
    "decide.p_loss_help": "Share of replicate runs with a loss at the horizon; 95% interval {low} to {high} over "
                          "{n} runs.",
    "decide.profit_dist": "Profit at the horizon over replicate runs",
    "decide.month_dist": "Month the strategy breaks even",
    "decide.stress_note": "Stress scenarios on a chosen day (a breach, an enforcement order, ad prices +50%) need "
                          "events scheduled inside a run, which the model does not take yet; they are not shown.",
    "decide.gap": "Profit gap",
    "decide.band": "95% interval",
    "decide.mean": "Mean over paired runs",
    "decide.flip_at": "flips at {value}",
    "decide.runs": "Runs",
    "decide.never": "never",
    "decide.month": "Month",
    "decide.front": "Pareto front",
    "assumption.enforcement_per_violation_complaint": "Enforcement chance per complaint",
    "assumption.fine_per_enforcement": "Fine per enforcement",
    "assumption.complaint_rate_cold": "Complaint rate of cold messages",
    "assumption.marketing_opt_in_rate": "Marketing opt-in rate",
    "assumption.consent_friction": "Consent-form friction (1 = none)",
    "assumption.enforcement_trust_shock": "Trust lost per public enforcement",
    "why.none": "{a} and {b} make the same profit in all {n} paired runs: there is no gap to explain.",
    "decide.tool_pareto": "Trade-offs",
    "decide.about_pareto": "The Pareto front of two or three objectives (e.g. profit, complaints, trust) over the "
                           "chosen levers, found by NSGA-II; every point can be downloaded as a runnable scenario.",
    "decide.objectives": "Objectives (2 or 3)",
    "decide.pareto_need": "Choose at least one lever and two or three objectives.",
    "decide.pareto_title": "Pareto front ({n} points): no point is better on every objective",
    "decide.pareto_point": "Point",
    "decide.pareto_yaml": "Download this point as a scenario (YAML)",
    "decide.pareto_note": "Objectives are means over common seeds; a point's numbers are reproduced by running its "
                          "scenario with the same seeds.",
    # ---- class tournament (issue 18) ----
    "tournament.title": "Class tournament",
    "tournament.intro_solo": "{n} strategies, each run alone in the market {market} for {days} days with the same {seeds} seeds (common random numbers: the same consumers meet the same luck under every strategy). Money in {currency}.",
    "tournament.intro_round_robin": "{n} strategies; every pair competed as two brands in the market {market} for {days} days, once in each order, with the same {seeds} seeds (common random numbers). Scores are means over all of an entry's matches. Money in {currency}.",
    "tournament.leaderboard": "Leaderboard",
    "tournament.rank": "Rank",
    "tournament.entry": "Entry",
    "tournament.wins": "Best of the field on {kpi} (seeds)",
    "tournament.range_note": "Each cell: the mean over seeds, and below it the 5–95% range over seeds.",
    "tournament.head_to_head": "Head to head",
    "tournament.h2h_note": "Seeds in which the row entry beat the column entry on {kpi}, out of {n}.",
    # ---- dashboard: one honest story (issues 16 and 14, helper H3) ----------------------------
    "app.unsafe_server": "This dashboard refuses to serve with {setting}: it would be reachable beyond this machine or accept large uploads. Start it with `bash scripts/dashboard.sh` (or `streamlit run dashboard/app.py`, which reads dashboard/.streamlit/config.toml); set SIM_DASHBOARD_ALLOW_REMOTE=1 to serve other machines on purpose.",
    "app.not_found": "That page does not exist; here is the comparison page instead.",
    "common.caps_kb": "Limits: at most {population} consumers, {days} days and {reps} replicates per scenario; uploads up to {upload} kB.",
    "common.currency": "currency",
    "common.fx_rate": "units per US dollar",
    "unit.pp": "{value} pp",
    "unit.pp_name": "percentage points",
    "progress.runs": "Simulating",
    "progress.waiting": "{what}: waiting — {n} run(s) ahead of yours on this server…",
    "progress.kernels": "Preparing the model: loading its compiled kernels (only for the first run after the server starts)…",
    "progress.shared": "{what}: another session is computing this same run; using its result when it is done…",
    "progress.run": "{what}: run {i} of {n}, day {day} of {days}",
    "progress.runs_done": "{what}: {i} of {n} runs done",
    "compare.figures_mean": "Every chart and card here describes the same {n} replicate runs per scenario: cards, bands, the Sankey and the waterfall show their mean; the range under a card is the 5–95% spread.",
    "compare.flows_mean": "People moving between stages from day 1 to day {day}, mean over {n} replicate runs (the runs behind the cards).",
    "compare.costs_mean": "Revenue up, each cost down, profit at the end: mean totals from day 1 to day {day} over {n} replicate runs; the last bar equals the profit card ({profit}).",
    "compare.sankey_title": "{label}: flows (mean of {n} runs)",
    "compare.waterfall_title": "{label}: profit build-up (mean of {n} runs)",
    "compare.daily_note": "The daily CSV holds the mean over the replicate runs of each scenario, in the currency shown on the page (column currency).",
    "compare.col_sure": "Interval excludes 0?",
    "whatif.intro_honest": "Set both sides — a baseline and a variant — and compare them over the same seeds (common random numbers): each card shows the variant's mean, its 5–95% range, and in how many paired runs it beat the baseline. A difference is called clear only when its 95% paired interval excludes zero.",
    "whatif.side_base": "Baseline (A)",
    "whatif.side_var": "Variant (B)",
    "whatif.both_sides": "Levers of each side",
    "whatif.reps_honest": "Replicates of each side (paired by seed). Fewer than 5 cannot tell a real difference from noise.",
    "whatif.few_reps": "With {n} replicate(s) no claim about the difference can be made: use at least 5.",
    "whatif.card_range": "B: {lo} – {hi} (5–95%) · A: {base}",
    "whatif.card_wins": "B better in {wins} of {n} paired runs",
    "whatif.sure": "Profit: B minus A is {diff} (95% paired interval {lo} – {hi}, which excludes zero): B is {dir} in this model, not by chance of the draw.",
    "whatif.unsure": "Profit: B minus A is {diff} (95% paired interval {lo} – {hi}, which includes zero): this could be chance — add replicates or move the levers further.",
    "whatif.better": "better",
    "whatif.worse": "worse",
    "whatif.timing_honest": "{reps} paired run(s) per side, updated in {seconds} s (runs already computed by anyone are instant).",
    "editor.resolved_note": "Presets are loaded with every setting written out (resolved), so each value can be edited here.",
    "editor.name_from_yaml": "The name comes from the YAML's `name:` field; rename the scenario there.",
    "editor.replaced": "Replaced “{name}” in the comparison with the edited version.",
    "explore.k1_legend": "K = 1 (self-sustaining growth)",
    "explore.no_k1": "No setting in this grid reaches self-sustaining referral growth: the K-factor stays below 1 everywhere (highest {k}), so every referral chain dies out and growth needs paid or partner traffic.",
    "explore.k1_reached": "The dashed line marks K = 1: settings beyond it give self-sustaining referral growth (highest K here {k}).",
    "learn.fission.k_panel": "K-factor",
    "learn.fission.profit_panel": "Profit ({currency})",
    "learn.consent.people": "people",
    "learn.consent.messages": "messages",
    "learn.consent.people_title": "People who complained or opted out",
    "learn.consent.messages_title": "Messages sent without valid consent",
    "assume.title": "Assumptions behind this page",
    "assume.intro": "What the numbers shown rest on. Each line names the section of the model documentation (docs/MODEL.md) that states it in full; pick a section below to read it here.",
    "assume.ref": "docs/MODEL.md §{number} {title}",
    "assume.read": "Read a section of the model documentation",
    "assume.read_pick": "Choose a section",
    "assume.ledger": "Profit is revenue minus every cost item of the ledger (goods, platform commission, ads, content, KOL and partner fees, hooks, messages, staff, software, rewards, points, perks, security, fines); nothing else is counted.",
    "assume.kpis": "KPIs are read at the chosen day from cumulative totals; shares, K-factor and lifetime value follow the definitions of the documentation.",
    "assume.messaging": "Each message's response falls with fatigue and rises with quality and trust; too many messages raise opt-outs and complaints (the inverted U).",
    "assume.referral": "Members refer friends through a social network; rewards on both sides raise sharing; the K-factor counts friends who join per member.",
    "assume.membership": "Points and tiers raise the purchase rate and slow lapsing; points cost money when redeemed.",
    "assume.compliance": "Each channel is covered by a law or not (e-mail and SMS yes, LINE no); messages "
                         "on a covered channel without consent are violations. Complaints about them bring "
                         "warnings, then an order, and a fine only for violations after the order; breaches "
                         "cost response money, trust and members and climb the data law's ladder.",
    "assume.acquisition": "Ads, content, KOLs and partner pools make people aware at costs set in the scenario; awareness fades.",
    "assume.auction": "Ad prices (CPM) rise with the brands' combined spend in the market.",
    "assume.purchase": "Purchases depend on need, price, trust and channel; private-pool purchases avoid platform commission.",
    "assume.joining": "People join a private pool through the sources modelled (organic, KOL, partner, interception, referral), each with its own cost.",
    "assume.scale": "Each simulated consumer stands for many real people (the market's scale factor); money and counts are scaled up accordingly.",
    "assume.limits": "Known simplifications: no competitors' reactions beyond the scenario, fixed prices, no seasonality unless set; figures are illustrative, not forecasts.",
    "assume.parameters": "Every default parameter cites a source or says it is an assumption (the parameter tables of the documentation).",
    "market.china": "China",
    "market.japan": "Japan",
    "market.cross_border": "Cross-border",
    "segment.urban_young": "urban young",
    "segment.mainstream": "mainstream",
    "segment.loyal_shoppers": "loyal shoppers",
    "segment.cautious": "cautious",
    "segment.marketplace_bargain_hunters": "marketplace bargain hunters",
    "segment.social_followers": "social followers",
    "editor.upload_help_kb": "A .yaml file of at most {cap} kB. Files are parsed safely: no code is ever run.",
    "st.upload_button": "Upload",
    "st.upload_note": "YAML file, up to {cap} kB",
    "common.choose": "Choose…",
    "report.flows_mean_note": "Flows and costs are means over the replicate runs (the same runs as the tables).",
    # ---- glossary on the Learn page (issue 18) ----
    "learn.glossary": "Glossary: every term in English, Chinese and Japanese, with its definition",
    # ---- law, breaches and KPI definitions (issue 17 items 4-6, FID-LAW) ----
    "regime.consent_at_join": "Consent at join (China)",
    "money.breach_costs": "Breach response costs",
    "kpi.ltv_pool_cac": "LTV / pool cost per member (no ads)",
    "money.gross_margin": "Gross margin on sales",
}
