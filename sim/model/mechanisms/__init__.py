"""The seven mechanisms of the model, one module each, in the order the day runs them.

1. :mod:`acquisition`  - ads in an auction whose price rises with demand, organic content, KOLs, partner pools
2. :mod:`purchase`     - BG/NBD purchase occasions and dropout; private vs public channel; forgetting
3. :mod:`interception` - invitations at platform checkout (called from the purchase pass)
4. :mod:`membership`   - points, breakage, tiers, member price, birthday perk, paid membership
5. :mod:`messaging`    - broadcasts, shared fatigue, response, opt-out, trust; cold outreach
6. :mod:`referral`     - fission over the social network with two-sided rewards
7. :mod:`compliance`   - complaints, enforcement, fines, data breaches
"""
