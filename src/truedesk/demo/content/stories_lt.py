"""Cases of Lithuanian-speaking customers: a widow's dunning letters, UAB Šviesa and others."""

from __future__ import annotations

from truedesk.demo.script import (
    CaseStory,
    Opened,
    Vignette,
    call,
    link_to,
    note,
    reply,
    said,
    status,
    tag,
    take,
)

STORIES = (
    CaseStory(
        key="ona_holder",
        customer="ona",
        subject="Sutarties perrašymas mano vardu",
        body=(
            "Laba diena. Prieš mėnesį mirė mano vyras Petras Kazlauskas. Sutartis (internetas ir "
            "televizija, Žirmūnų g. 12-7) buvo jo vardu. Prašau perrašyti ją mano vardu taip, kad "
            "paslaugos nenutrūktų. Mirties liudijimo kopiją galiu atnešti į saloną.\n"
            "Ona Kazlauskienė"
        ),
        opened=Opened(days_ago=58, at="10:20"),
        kind="service_request",
        department="billing",
        steps=(
            take(2, "lukas"),
            reply(
                2.5,
                "lukas",
                "Gerbiama Ona, nuoširdžiai užjaučiame. Sutartį perrašysime Jūsų vardu nuo kito "
                "mėnesio 1 d. Paslaugos nenutrūks, telefono numeris ir mokėjimo kodas liks tie "
                "patys. Liudijimo kopiją užtenka atsiųsti atsakant į šį laišką.\n"
                "Lukas Jonaitis, Atsiskaitymų skyrius",
                status="waiting_on_customer",
            ),
            said(26, "Ačiū. Siunčiu liudijimo kopiją."),
            reply(
                27,
                "lukas",
                "Gavome, ačiū. Sutartis nuo 1 d. bus Jūsų vardu, daugiau nieko daryti nereikia.",
                status="resolved",
            ),
            status(24 * 8, "lukas", "closed"),
        ),
    ),
    CaseStory(
        key="ona_dunning",
        customer="ona",
        subject="Vis gaunu priminimus apie skolą, nors viskas sumokėta",
        body=(
            "Laba diena. Jau trečią kartą gaunu laišką, kad turiu skolą už internetą ir "
            "televiziją ir kad paslaugos bus atjungtos. Bet aš kiekvieną mėnesį moku laiku, turiu "
            "banko išrašus. Laiškai vis dar adresuoti mano mirusiam vyrui Petrui. Prašau pagaliau "
            "tai sutvarkyti, nes labai nerimauju ir nežinau, kam dar skambinti."
        ),
        opened=Opened(days_ago=17, at="09:05"),
        kind="billing_dispute",
        department="billing",
        priority=3,
        severity=2,
        steps=(
            take(1.5, "lukas"),
            note(
                1.8,
                "lukas",
                "Found it: when the contract moved to Ona, billing opened a NEW account "
                "(40021877) instead of renaming the old one (30017452). Her payments go to the "
                "new account; the old one still shows Petras's last invoice as unpaid, so the "
                "dunning run keeps writing to him. At least two other account-holder changes "
                "this year look the same - raising it with billing operations.",
            ),
            link_to(1.9, "lukas", "ona_holder"),
            call(
                2.2,
                "lukas",
                9,
                "Paskambinau p. Onai: paaiškinau, kad visi jos mokėjimai gauti, o priminimai "
                "siunčiami dėl senosios vyro sąskaitos, kurią per klaidą palikome atidarytą. "
                "Pažadėjau šiandien sustabdyti priminimus ir per 3 darbo dienas uždaryti senąją "
                "sąskaitą.",
                inbound=False,
            ),
            reply(
                2.4,
                "lukas",
                "Gerbiama Ona, kaip kalbėjome telefonu: visi Jūsų mokėjimai gauti, skolos "
                "neturite. Priminimai buvo siunčiami dėl senosios Petro sąskaitos, kurią mes per "
                "klaidą palikome atidarytą. Šiandien sustabdėme priminimus ir atjungimą, o per 3 "
                "darbo dienas senąją sąskaitą uždarysime. Atsiprašome už patirtą nerimą.",
                status="waiting_on_third_party",
            ),
            call(
                24 * 6 + 0.5,
                "lukas",
                6,
                "P. Ona paskambino išsigandusi: gavo dar vieną laišką apie atjungimą. Patikrinau: "
                "laiškas sugeneruotas dar prieš sustabdymą, atjungimo užsakymo nėra. Nuraminau, "
                "pažadėjau raštišką patvirtinimą šiandien.",
            ),
            reply(
                24 * 6 + 1,
                "lukas",
                "Gerbiama Ona, patvirtiname raštu: Jūsų paslaugos nebus atjungtos ir skolos "
                "neturite. Šiandien gautas laiškas buvo išsiųstas dar prieš mums sustabdant "
                "priminimus. Senoji sąskaita uždaryta, jos likutis nurašytas.",
                status="resolved",
            ),
            said(
                24 * 7, "Ačiū, dabar ramu. Tik labai norėčiau, kad kitiems žmonėms taip nenutiktų."
            ),
            reply(
                24 * 7 + 2,
                "lukas",
                "Ačiū, kad parašėte. Jūsų atvejį perdavėme vadovybei: keičiame tvarką, kad "
                "mirus sąskaitos savininkui sąskaita būtų perrašoma, o ne kuriama nauja.",
                status="resolved",
            ),
            tag(24 * 7 + 2.1, "lukas", "account-holder-change", "dunning"),
        ),
    ),
    CaseStory(
        key="jonas_evenings",
        customer="jonas",
        subject="Biuro internetas vakarais vos veikia",
        body=(
            "Laba diena. Jau antrą savaitę po 18 val. internetas biure beveik nebeveikia: "
            "vaizdo skambučiai nutrūksta, failai į serverį keliami valandą. Dieną viskas gerai. "
            "Mes dirbame ir vakarais, su klientais užsienyje. Prašau skubiai išspręsti."
        ),
        opened=Opened(days_ago=12, at="17:40", weekday=0),
        kind="complaint",
        priority=3,
        severity=2,
        steps=(
            take(15, "rasa"),
            reply(
                15.5,
                "rasa",
                "Laba diena, p. Jonai. Matome, kad Jūsų linijoje tarp 18 ir 22 val. prarandama "
                "iki 8 % paketų. Problema ne Jūsų įrangoje, o mūsų skirstomojoje spintoje. "
                "Technikas atvyks rytoj, o rezultatą Jums pranešiu iki ketvirtadienio 12 val.",
                status="waiting_on_third_party",
            ),
            note(
                15.6,
                "rasa",
                "Street cabinet G-14 uplink is saturated in the evenings; field ticket F-5520. "
                "Šviesa is a gold account and I'm their account manager - keep Jonas updated "
                "personally.",
            ),
            said(
                24 * 2 + 16,
                "Technikas buvo vakar, bet vakare vėl tas pats. Mūsų 20 žmonių, dirbame ir "
                "vakarais. Jei iki kitos savaitės nesutvarkysite, svarstysime kitą tiekėją.",
            ),
            reply(
                24 * 2 + 17,
                "rasa",
                "Suprantu ir atsiprašau. Technikas pakeitė modulį, bet spinta vakarais vis tiek "
                "perkrauta. Šį šeštadienį tinklo skyrius ją prijungs prie naujos šviesolaidžio "
                "linijos. Kol kas nemokamai įjungėme atsarginį 4G ryšį Jūsų biurui - "
                "maršrutizatorius persijungs automatiškai.",
                status="waiting_on_third_party",
            ),
        ),
    ),
    CaseStory(
        key="ruta_klaipeda",
        customer="ruta",
        subject="Internetas ir telefonai naujam filialui Klaipėdoje",
        body=(
            "Sveiki, kitą mėnesį atidarome filialą Klaipėdoje, Taikos pr. 61. Reikės interneto "
            "ir penkių telefono linijų, kaip Vilniuje. Kiek kainuotų ir kada galėtumėte įrengti?"
        ),
        opened=Opened(days_ago=5, at="13:15"),
        kind="sales_enquiry",
        department="sales",
        channel="portal",
        steps=(
            take(1, "rasa"),
            reply(
                1.5,
                "rasa",
                "Laba diena, Rūta. Taikos pr. 61 šviesolaidis yra. Siūlome 300 Mb/s verslo "
                "internetą su fiksuotu IP ir 5 IP telefono linijas už 89 € per mėnesį; "
                "įrengimas nemokamas, jei sutartis 24 mėn. Ar tiktų, kad technikas atvyktų kitą "
                "savaitę?",
                status="waiting_on_customer",
            ),
        ),
    ),
)

VIGNETTES = (
    Vignette(
        "lt",
        "question",
        "support",
        "Dingo keli TV kanalai",
        "Laba diena, nuo vakar nerodo LRT Plius ir TV3 Sport, kiti kanalai veikia. Ką daryti?",
        "Laba diena, vakar atnaujinome kanalų dažnius. Priedėlyje pasirinkite Meniu > "
        "Nustatymai > Kanalų paieška ir palaukite kelias minutes - kanalai grįš.",
        "Padariau paiešką, LRT Plius grįžo, o TV3 Sport vis dar nėra.",
        "TV3 Sport dabar yra sporto pakete; Jūsų planas jį turi, tik reikėjo iš naujo "
        "aktyvuoti. Aktyvavome - perkraukite priedėlį.",
    ),
    Vignette(
        "lt",
        "billing_dispute",
        "billing",
        "Sąskaitoje nurodyta paslauga, kurios neužsakiau",
        "Šio mėnesio sąskaitoje yra „Filmų paketas“ už 6,99 €. Aš jo neužsakinėjau. Prašau "
        "išbraukti.",
        "Atsiprašome: paketas buvo įjungtas nemokamam bandymui ir automatiškai tapo mokamas. "
        "Jį išjungėme, o 6,99 € grąžinsime kitoje sąskaitoje.",
        "Ar bus grąžinta ir už praeitą mėnesį? Ten irgi buvo.",
        "Taip, patikrinau - grąžinsime už abu mėnesius, iš viso 13,98 €.",
    ),
    Vignette(
        "lt",
        "service_request",
        "support",
        "Prašau perkelti paslaugas į sodybą vasarai",
        "Sveiki, vasarą gyvename sodyboje Trakų raj. Ar galima birželiui-rugpjūčiui perkelti "
        "internetą ten?",
        "Sodyboje šviesolaidžio nėra, bet galime pasiūlyti 4G maršrutizatorių už tą pačią kainą, "
        "o miesto buto paslaugą tuo metu sustabdyti už 1 € per mėnesį. Ar tinka?",
        "Tinka. Maršrutizatorių norėčiau pasiimti salone.",
        "Maršrutizatorius jau laukia Jūsų Akropolio salone; miesto buto paslauga bus "
        "sustabdyta nuo kito mėnesio 1 d.",
    ),
    Vignette(
        "lt",
        "complaint",
        "complaints",
        "Salone su manimi elgėsi nemandagiai",
        "Vakar salone darbuotojas pakėlė balsą ir pasakė, kad „su tokiais klausimais "
        "nevaikščiotų“. Atėjau tik pasiteirauti dėl sąskaitos. Tai nepriimtina.",
        "Labai atsiprašome. Taip elgtis neturėjo niekas. Kalbėjome su salono vadove, situacija "
        "bus aptarta su darbuotoju. O dėl sąskaitos - gal galite parašyti, kas neaišku?",
        "Sąskaitoje dvi eilutės už tą patį internetą.",
        "Viena eilutė - už praėjusio mėnesio dalį, kita - už šį mėnesį, nes keitėte planą. "
        "Nuo kito mėnesio liks tik viena eilutė. Dar kartą atsiprašome už salone patirtą "
        "elgesį.",
        home=False,
    ),
    Vignette(
        "lt",
        "sales_enquiry",
        "sales",
        "Ar yra pigesnis planas pensininkams?",
        "Laba diena, esu pensininkė, naudoju tik telefoną ir kartais internetą. Ar yra "
        "pigesnis planas?",
        "Laba diena! Yra planas „Senjoras“: 100 min. ir 5 GB už 4,99 € per mėnesį. Jūsų "
        "dabartinis planas kainuoja 12 €. Ar perjungti?",
        "Taip, prašau perjungti nuo kito mėnesio.",
        "Perjungta: nuo kito mėnesio 1 d. Jūsų planas - „Senjoras“, 4,99 €.",
        speaker="f",
    ),
    Vignette(
        "lt",
        "question",
        "support",
        "Kaip pakeisti „Wi-Fi“ slaptažodį?",
        "Sveiki, kaimynai žino mūsų „Wi-Fi“ slaptažodį. Kaip jį pakeisti?",
        "Savitarnoje pasirinkite Internetas > Maršrutizatorius > „Wi-Fi“ ir įveskite naują "
        "slaptažodį. Po to visus įrenginius reikės prijungti iš naujo.",
        "Pakeičiau, bet televizorius nebeprisijungia.",
        "Televizoriuje pasirinkite Tinklas > Belaidis ryšys, raskite savo tinklą ir įveskite "
        "naują slaptažodį. Jei nepavyks, galime paskambinti ir padėti.",
    ),
    Vignette(
        "lt",
        "billing_dispute",
        "billing",
        "Priskaičiuoti delspinigiai, nors mokėjau laiku",
        "Gavau sąskaitą su 3 € delspinigiais, nors mokėjau 10 dieną, kaip visada. Prašau "
        "patikrinti.",
        "Patikrinome: mokėjimas gautas 10 d., bet įskaitytas tik 12 d. dėl banko vėlavimo. "
        "Delspinigius panaikinome.",
        "Ačiū. O kaip išvengti to ateityje?",
        "Galite įsijungti tiesioginį debetą - tada mokėjimas visada įskaitomas laiku. "
        "Nuorodą rasite savitarnoje, skiltyje Mokėjimai.",
        home=False,
    ),
    Vignette(
        "lt",
        "service_request",
        "support",
        "Reikia naujo priedėlio nuotolinio pultelio",
        "Šuniukas sugraužė TV priedėlio pultelį. Ar galite atsiųsti naują?",
        "Žinoma. Naujas pultelis kainuoja 9 €; galime atsiųsti paštu arba galite pasiimti "
        "bet kuriame salone. Kaip patogiau?",
        "Atsiųskite paštu, prašau.",
        "Pultelis išsiųstas, gausite per 2 darbo dienas. 9 € bus įtraukti į kitą sąskaitą.",
    ),
    Vignette(
        "lt",
        "regulatory_complaint",
        "complaints",
        "Skundas dėl sutarties nutraukimo mokesčio",
        "Nutraukiau sutartį, nes persikrausčiau ten, kur jūsų ryšio nėra, bet iš manęs "
        "reikalaujama 120 € netesybų. Jei to neatšauksite, kreipsiuosi į RRT.",
        "Išnagrinėjome: kai paslaugos naujuoju adresu teikti negalime, netesybos "
        "neskaičiuojamos. 120 € sąskaitą anuliavome, apie tai informavome ir RRT.",
        "Ačiū, bet sąskaitą vis tiek gavau paštu.",
        "Tai buvo išsiųsta dar prieš anuliavimą. Jūsų balansas yra 0 €, ir daugiau jokių "
        "sąskaitų negausite.",
    ),
    Vignette(
        "lt",
        "question",
        "support",
        "Ar galiu naudotis savo maršrutizatoriumi?",
        "Sveiki, nusipirkau naują maršrutizatorių. Ar galiu jį jungti vietoj jūsiškio?",
        "Galite. Reikės mūsų maršrutizatorių perjungti į tilto režimą (savitarnoje: "
        "Internetas > Maršrutizatorius > Tiltas) ir savo įrenginį jungti į 1-ą LAN lizdą.",
        "Įjungiau tiltą, bet televizija nebeveikia.",
        "Tilto režime TV priedėlį reikia jungti į 4-ą LAN lizdą, nes jis perduoda TV signalą "
        "atskirai. Perjunkite laidą - viskas veiks.",
    ),
)
