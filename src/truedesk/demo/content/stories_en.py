"""Cases of English-speaking customers: Acme Ltd's IT manager Dave and others."""

from __future__ import annotations

from datetime import timedelta

from truedesk.demo.script import (
    CaseStory,
    Opened,
    Vignette,
    accept,
    call,
    decline,
    note,
    reply,
    said,
    status,
    take,
    transfer,
)

STORIES = (
    CaseStory(
        key="dave_vpn",
        customer="dave",
        subject="Site-to-site VPN drops every evening around 19:00",
        body=(
            "Hello, since last week the VPN between our Leeds office and the Vilnius warehouse "
            "drops every evening at about 19:00 and only comes back after we restart the router. "
            "Logs attached below. Nothing changed on our side.\n\n"
            "19:00:12 IKE SA expired: peer 198.51.100.7 unreachable\n"
            "19:00:41 WAN address changed to 198.51.100.22\n\nDave Davis, Acme Ltd"
        ),
        opened=Opened(days_ago=24, at="09:12"),
        channel="portal",
        steps=(
            take(0.6, "alice"),
            reply(
                0.7,
                "alice",
                "Hi Dave, thanks for the logs, they help a lot. The drops line up with a DHCP "
                "renewal on the Leeds line at 19:00, which changes the WAN address your VPN peer "
                "expects. Could you tell me the make and firmware of the router in Leeds? In the "
                "meantime I've asked for the static address your order says you should have.",
                status="waiting_on_customer",
            ),
            said(
                3.5,
                "It's a DrayTek Vigor 2927, firmware 4.4.3. And yes, we ordered a static "
                "address in the first place.",
                channel="portal",
            ),
            note(
                4,
                "alice",
                "Leeds line was provisioned with a dynamic WAN address although the order form "
                "says static. Requested the static IP from provisioning, ref PRV-2291.",
            ),
            reply(
                26,
                "alice",
                "The static address 203.0.113.45 has been live on the Leeds line since 08:30 "
                "this morning. Please point the VPN peer at it. I'll keep the case open until "
                "you've had a full evening without a drop.",
                status="waiting_on_customer",
            ),
            said(50, "Two evenings without a single drop. Thank you, Alice.", channel="portal"),
            reply(
                50.5,
                "alice",
                "Great to hear. I'm resolving this case; if it drops again, just reply here and "
                "it comes straight back to me.",
                status="resolved",
            ),
            status(24 * 8, "alice", "closed"),
        ),
    ),
    CaseStory(
        key="dave_upgrade",
        customer="dave",
        subject="Upgraded to 500 Mbit/s but the line still runs at 300 - and we're billed for 500",
        body=(
            "Hi, the upgrade of our Leeds line to 500 Mbit/s was confirmed as completed two weeks "
            "ago, but every speed test still shows just under 300. The invoice already charges "
            "the 500 tariff. Can you check the line?"
        ),
        opened=Opened(days_ago=1, at="09:40"),
        kind="billing_dispute",
        channel="portal",
        priority=3,
        steps=(
            take(0.3, "alice"),
            reply(
                0.5,
                "alice",
                "Hi Dave, I can see the upgrade order was closed as completed, but the line "
                "profile on our side still says 300 Mbit/s, so the speed you see is what the "
                "line is set to. I've asked our network team to apply the 500 profile tonight "
                "and I'll check it with you tomorrow morning.",
                status="waiting_on_third_party",
            ),
            note(
                0.6,
                "alice",
                "Profile change request NET-8812. Provisioning closed the upgrade order without "
                "pushing the new profile - second time this month. Billing has charged the 500 "
                "tariff since the order closed.",
            ),
            said(
                23,
                "Speed test this morning: 498 Mbit/s down. Good! But this month's invoice charges "
                "the 500 tariff for the whole month, including the two weeks we were on 300. Can "
                "that be corrected?",
                channel="portal",
            ),
            reply(
                24,
                "alice",
                "Thanks for confirming the speed. You're right about the invoice: you should pay "
                "the 300 tariff until yesterday. I'm handing the correction to Bob in Billing "
                "with all the details, so you won't have to explain it again.",
            ),
            transfer(
                24.2,
                "alice",
                to="bob",
                department="billing",
                reason="Invoice correction: 500 tariff charged while the line ran at 300",
                handoff=(
                    "Upgrade order was closed as completed two weeks ago but the 500 profile was "
                    "only applied last night (NET-8812). Please credit the difference between "
                    "the 500 and 300 tariffs from the order date until yesterday and send Dave a "
                    "corrected invoice. Dave has confirmed the speed is fine now."
                ),
                expires_in=timedelta(days=3),
            ),
        ),
    ),
    CaseStory(
        key="dave_kaunas",
        customer="dave",
        subject="Business fibre with a static IP for our new Kaunas office",
        body=(
            "Hi, we're opening an office in Kaunas (Savanorių pr. 123) on the 1st of next month. "
            "We need business fibre there with a static IPv4 address, and the VPN set up like "
            "the Leeds one (Alice sorted that out for us last month). Who can I talk to about "
            "installation dates?"
        ),
        opened=Opened(days_ago=0, at="10:05"),
        kind="service_request",
        channel="portal",
    ),
    CaseStory(
        key="dave_mobiles",
        customer="dave",
        subject="Quote for 12 mobile lines for our sales team",
        body=(
            "Hello, we're hiring twelve sales reps for the Baltic market. Could you quote 12 "
            "mobile lines with EU roaming and 20 GB of data each, on the Acme account?"
        ),
        opened=Opened(days_ago=44, at="11:30", weekday=0),
        kind="sales_enquiry",
        department="sales",
        steps=(
            take(1.2, "rasa"),
            reply(
                1.5,
                "rasa",
                "Hello Dave, thank you for thinking of us. For 12 lines on the Acme account we "
                "can offer Business 20 GB with EU roaming at €14.90 per line per month (normally "
                "€18.90), 24 months, SIMs delivered free within two working days. Shall I send "
                "the contract to Ian Irving for signature?",
                status="waiting_on_customer",
            ),
            said(
                28,
                "Approved by Ian. Please go ahead and send the SIMs to the Vilnius "
                "warehouse, attention Kevin King.",
            ),
            reply(
                29,
                "rasa",
                "The order is placed: 12 SIMs will reach Kevin at the warehouse on Thursday, "
                "already active. The numbers are listed on the Acme account page.",
                status="resolved",
            ),
            status(24 * 9, "rasa", "closed"),
        ),
    ),
    CaseStory(
        key="fiona_no_show",
        customer="fiona",
        subject="Engineer didn't turn up - for the second time",
        body=(
            "I took another day off work today because your engineer was booked for 8-12. Nobody "
            "came and nobody called. This is the second time in two weeks. I still have no "
            "internet. Please tell me how you are going to fix this, and don't ask me to book "
            "another slot online."
        ),
        opened=Opened(days_ago=9, at="12:30", weekday=0),
        kind="complaint",
        priority=3,
        steps=(
            take(0.4, "alice"),
            reply(
                0.6,
                "alice",
                "Fiona, I'm sorry - that's not acceptable, and twice is worse. I've booked the "
                "first slot we have, Thursday 8:00-10:00, and asked the field team to call me, "
                "not you, if anything changes. I'll call you on Thursday at 10:15 either way.",
            ),
            note(
                0.7,
                "alice",
                "Both missed visits were booked by different agents and the field team never "
                "got the access notes (gate code 4417, ring flat 3). Added them to the work "
                "order this time.",
            ),
            call(
                69.8,
                "alice",
                4,
                "Called Fiona at 10:15 as promised: the engineer arrived at 08:40 and the "
                "internet works. She asks for compensation for the two days off work.",
                inbound=False,
            ),
            transfer(
                70,
                "alice",
                department="billing",
                reason="Goodwill credit for two missed engineer visits",
                handoff=(
                    "Two missed visits, two days of leave lost. Service works since this "
                    "morning. Customer asks for compensation; I suggest one month free."
                ),
            ),
            decline(
                71,
                "bob",
                "Goodwill credits of a month or more need a supervisor's approval - please send "
                "it to Carol.",
            ),
            transfer(
                71.3,
                "alice",
                to="carol",
                reason="Approve a one-month goodwill credit for two missed visits",
                handoff=(
                    "Two missed visits, two days of leave lost; fixed this morning. Bob says a "
                    "month's credit needs your approval. Fiona has been patient - please reply "
                    "to her yourself."
                ),
            ),
            accept(73, "carol"),
            reply(
                73.5,
                "carol",
                "Dear Fiona, I'm Carol Clark, Alice's supervisor. We have credited one month's "
                "fee (£34.00) to your account; you'll see it on your next invoice. I've also "
                "asked our field team to find out why both visits were missed. I'm sorry for "
                "the lost days.",
                status="resolved",
            ),
            said(
                80,
                "Thank you Carol, that's fair. And thanks to Alice for actually calling "
                "when she said she would.",
            ),
            status(93, "carol", "resolved"),
        ),
    ),
    CaseStory(
        key="george_roaming",
        customer="george",
        subject="Roaming package bought through Travelwise has no data in Spain",
        body=(
            "Erin Evans from Travelwise called on behalf of George Green, who is in Málaga: the "
            "EU roaming package Travelwise sold him last week shows as active, but his phone has "
            "had no data since he landed. Erin will pass on anything we need to ask George."
        ),
        opened=Opened(days_ago=3, at="16:20", weekday=2),
        channel="phone",
        opened_by="alice",
        owner_on_open=True,
        steps=(
            note(
                0.2,
                "alice",
                "Package is active in billing, but the network still has data roaming barred: "
                "the bar from his old prepaid plan was never lifted.",
            ),
            reply(
                0.5,
                "alice",
                "Dear George, Erin from Travelwise told us about the missing data in Spain. We "
                "found a roaming bar left over from your previous plan and have asked our network "
                "team to lift it; it usually takes up to two hours. Please restart your phone "
                "after 19:00 local time. - Alice, Baltic Fibre",
                status="waiting_on_third_party",
            ),
            said(
                18,
                "Data works now, thanks. But I bought a €14.99 day pass from the hotel on "
                "Tuesday before I knew it was your problem.",
            ),
            reply(
                19,
                "alice",
                "Glad it works. The day pass was needed only because of our bar, so we'll "
                "refund it: please send a photo of the receipt to Erin, and I'll arrange the "
                "refund with Billing once it's here.",
                status="waiting_on_customer",
            ),
        ),
    ),
    CaseStory(
        key="kevin_maintenance",
        customer="kevin",
        subject="Planned maintenance on the warehouse line, Sunday 02:00-04:00",
        body=(
            "Hello Kevin, we'll upgrade the equipment serving the Acme warehouse line on Sunday "
            "between 02:00 and 04:00. Phones and internet will be down for up to 30 minutes in "
            "that window. If that clashes with a night shift, just reply and we'll move it. "
            "- Bob Brown, Technical support"
        ),
        opened=Opened(days_ago=9, at="11:00", weekday=1),
        kind="service_request",
        opened_by="bob",
        owner_on_open=True,
        initiated_by="company",
        steps=(
            said(3, "We have a night shift loading lorries until 03:00. Can it be after 04:00?"),
            reply(
                4,
                "bob",
                "No problem: moved to Sunday 04:00-06:00. I'll call the warehouse phone when "
                "the work is done.",
                status="waiting_on_third_party",
            ),
            call(
                4 * 24 + 22.5,
                "bob",
                2,
                "Called the warehouse at 09:30: work finished at 05:35, line tested, shift lead "
                "confirms phones and internet are fine.",
                inbound=False,
            ),
            status(4 * 24 + 22.6, "bob", "resolved"),
        ),
    ),
)

VIGNETTES = (
    Vignette(
        "en",
        "question",
        "support",
        "Wi-Fi doesn't reach the back bedroom",
        "Hi, the internet is fine next to the router but there's almost no Wi-Fi in the back "
        "bedroom. Is there anything you can do, or do I need to buy something?",
        "Hi, thanks for getting in touch. Your router can use a mesh extender; we can send one "
        "for €3 a month, or you can move the router to the hallway socket, which is more "
        "central. Which would you prefer?",
        "Let's try the extender, please.",
        "The extender is on its way and should arrive within two working days. Plug it in "
        "halfway between the router and the bedroom and press WPS on both.",
    ),
    Vignette(
        "en",
        "billing_dispute",
        "billing",
        "Late payment fee although I paid on time",
        "I've been charged a €5 late payment fee, but I paid on the 14th, a day before the due "
        "date. My bank statement shows it. Please remove the fee.",
        "You're right: your payment reached us on the 14th but was matched to your account "
        "only on the 16th. We've removed the fee; the next invoice will show the credit.",
        "Thanks. Will this happen again next month?",
        "It shouldn't: the matching delay came from a bank holiday, and we've now added your "
        "reference to the automatic matching. I'll check next month's payment myself.",
        home=False,
    ),
    Vignette(
        "en",
        "service_request",
        "support",
        "Please move our TV service to the living room",
        "We're redecorating and want the TV box moved from the kitchen to the living room. Do "
        "you need to send someone?",
        "We can do it with a visit, €25, or we can send you a 10 m cable for free if you'd "
        "rather move it yourselves. Which suits you?",
        "The free cable please - my son will do it.",
        "Cable posted today. Connect it to the white socket next to the router; the TV box "
        "will find the signal by itself.",
    ),
    Vignette(
        "en",
        "complaint",
        "complaints",
        "Price went up without any warning",
        "My monthly bill went up from €29 to €34 and I didn't get any notice. I'm not happy "
        "about this at all.",
        "I'm sorry you weren't told. We sent the notice to an old email address on your "
        "account. By law you can leave without a fee within 30 days, or we can keep your old "
        "price until the end of your contract. Which would you prefer?",
        "Keep the old price, please, and update my email to this one.",
        "Done: your price stays at €29 until your contract ends, and we've updated your email "
        "address. The difference from this invoice will be credited.",
    ),
    Vignette(
        "en",
        "sales_enquiry",
        "sales",
        "Do you have fibre at my new flat?",
        "Hi, I'm moving to Užupio g. 9 next month. Is fibre available there and how fast?",
        "Good news: the building has fibre, up to 1 Gbit/s. Moving your current plan costs "
        "nothing, or you can upgrade to 500 Mbit/s for €5 more a month.",
        "Upgrade sounds good. Can it be connected on the day I move in?",
        "Booked: connection on the 1st between 9:00 and 13:00, on the 500 Mbit/s plan.",
    ),
    Vignette(
        "en",
        "question",
        "support",
        "How do I set up parental controls?",
        "Hello, my kids are getting their first tablets. How do I limit what they can do on "
        "our Wi-Fi?",
        "You can turn on Family Filter in the customer portal under Internet > Safety, and set "
        "bedtime hours per device. Would you like me to switch it on for you?",
        "Yes please, from 21:00 to 7:00 on both tablets.",
        "Family Filter is on for both tablets, off-hours 21:00-07:00. You can change it any time "
        "in the portal.",
    ),
    Vignette(
        "en",
        "billing_dispute",
        "billing",
        "Charged twice for the same month",
        "My card was charged twice this month, €41.50 each time. Please refund one of them.",
        "Sorry about that - the second charge was a retry by our payment system that should "
        "have been cancelled. The refund of €41.50 is on its way; banks take up to 5 days.",
        "Still nothing after a week.",
        "I checked with our payment provider: the refund was sent on the 3rd, reference "
        "RF-77120. Your bank should show it now; if not, give them that reference.",
        home=False,
    ),
    Vignette(
        "en",
        "service_request",
        "support",
        "New SIM card - my phone was stolen",
        "My phone was stolen yesterday. Please block the SIM and send me a new one with the "
        "same number.",
        "The old SIM is blocked as of now, so nobody can use it. A new SIM with your number "
        "is on its way and will arrive by courier tomorrow.",
        "Got the SIM, but I can't receive texts.",
        "Texts were still routed to the blocked SIM; I've fixed that. Please restart the "
        "phone and you'll receive them within a few minutes.",
        home=False,
    ),
    Vignette(
        "en",
        "complaint",
        "complaints",
        "Installer left a mess and a hole in the wall",
        "Your installer drilled through the wrong wall, left the hole unfilled and dust all over "
        "the hall. I'm not impressed.",
        "I'm sorry - that's not how our installers should leave a home. A technician will come "
        "back to fill and paint the hole at no charge. Does Friday morning work?",
        "Friday is fine. Please make sure it's someone else.",
        "Friday 9:00 is booked with a different technician, and we've passed your feedback to "
        "the installation team's manager.",
    ),
    Vignette(
        "en",
        "question",
        "support",
        "Which router settings for my own mesh system?",
        "I want to use my own mesh system instead of your router's Wi-Fi. What settings do I need?",
        "Put our router in bridge mode (portal > Internet > Router > Bridge) and connect the "
        "mesh to LAN port 1. The mesh then does Wi-Fi and DHCP itself.",
        "Done, but now the TV box has no picture.",
        "In bridge mode the TV box needs LAN port 4 - it carries the TV signal separately. "
        "Move its cable there and it will work again.",
        home=False,
    ),
)
