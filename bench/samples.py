"""Sample texts in the product's four languages: names, subjects, messages, notes."""

# ruff: noqa: RUF001  (the texts are Lithuanian, Ukrainian and Russian on purpose)

from __future__ import annotations

import unicodedata


def lines(text: str) -> list[str]:
    """The non-blank lines of a text block, stripped: keeps the sample texts readable."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def words(text: str) -> list[str]:
    """The words of a text block."""
    return text.split()


# Names per language: (male first, female first, male last, female last).
NAMES = {
    "en": (
        "James Oliver Harry George Jack Thomas Daniel Samuel",
        "Olivia Emily Sophie Grace Chloe Lucy Hannah Amelia",
        "Smith Jones Taylor Brown Wilson Evans Walker Wright Hughes Clarke",
        "Smith Jones Taylor Brown Wilson Evans Walker Wright Hughes Clarke",
    ),
    "lt": (
        "Jonas Tomas Lukas Mantas Darius Paulius Andrius Mindaugas",
        "Ona Rūta Eglė Agnė Inga Jurgita Gintarė Laura",
        "Kazlauskas Petrauskas Jankauskas Stankevičius Vasiliauskas Žukauskas Butkus",
        "Kazlauskienė Petrauskienė Jankauskienė Stankevičienė Vasiliauskienė Žukauskaitė",
    ),
    "uk": (
        "Андрій Олександр Дмитро Тарас Богдан Максим Іван Петро",
        "Олена Наталія Оксана Ірина Тетяна Марія Юлія Катерина",
        "Шевченко Бондаренко Коваленко Ткаченко Кравченко Мельник Бойко Коваль",
        "Шевченко Бондаренко Коваленко Ткаченко Кравченко Мельник Бойко Коваль",
    ),
    "ru": (
        "Алексей Сергей Дмитрий Андрей Михаил Николай Владимир Павел",
        "Анна Мария Екатерина Ольга Наталья Елена Татьяна Светлана",
        "Иванов Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков",
        "Иванова Смирнова Кузнецова Попова Соколова Лебедева Козлова Новикова",
    ),
}
# Cyrillic to ASCII for email addresses ("ь=" maps a letter to nothing).
CYRILLIC = {
    key: value
    for key, _, value in (
        pair.partition("=")
        for pair in words("""
        а=a б=b в=v г=g ґ=g д=d е=e є=ie ж=zh з=z и=y і=i ї=i й=i к=k л=l м=m н=n о=o п=p
        р=r с=s т=t у=u ф=f х=kh ц=ts ч=ch ш=sh щ=shch ь= ю=iu я=ia ы=y э=e ё=e ъ= '=
    """)
    )
}
SUBJECTS = {  # one line per subject
    "en": lines("""
        Internet drops every evening
        Charged twice this month
        Router does not turn on
        Technician did not come
        Transfer the contract to my name
        Payment reminder for a paid bill
        Where is my order?
        Change of tariff plan
        Error in the mobile app
        Please call me back
    """),
    "lt": lines("""
        Vakarais nutrūksta internetas
        Mokestis nuskaičiuotas du kartus
        Neįsijungia maršrutizatorius
        Neatvyko technikas
        Sutarties perrašymas
        Priminimas apie apmokėtą sąskaitą
        Kur mano užsakymas?
        Plano keitimas
        Klaida programėlėje
        Prašau perskambinti
    """),
    "uk": lines("""
        Ввечері зникає інтернет
        Подвійне списання за місяць
        Не вмикається роутер
        Не прийшов технік
        Переоформлення договору
        Нагадування про сплачений рахунок
        Де моє замовлення?
        Зміна тарифу
        Помилка в застосунку
        Прошу передзвонити
    """),
    "ru": lines("""
        Вечером пропадает интернет
        Двойное списание за месяц
        Не включается роутер
        Не пришёл мастер
        Переоформление договора
        Напоминание об оплаченном счёте
        Где мой заказ?
        Смена тарифа
        Ошибка в приложении
        Прошу перезвонить
    """),
}

CUSTOMER_SAYS = {  # sentences a customer writes or says
    "en": lines("""
        My internet connection drops every evening around eight.
        I was charged twice for the same month.
        The router you sent me does not turn on.
        I have called three times already and nobody called me back.
        Please move the contract to my name, my husband passed away.
        The technician did not come at the agreed time.
        I still receive payment reminders for a bill I paid.
        Could you tell me when the order will be delivered?
        The app shows an error when I try to pay.
        Thank you, that solved it.
    """),
    "lt": lines("""
        Kiekvieną vakarą apie aštuntą nutrūksta interneto ryšys.
        Už tą patį mėnesį mokestis nuskaičiuotas du kartus.
        Jūsų atsiųstas maršrutizatorius neįsijungia.
        Skambinau jau tris kartus, bet niekas neperskambino.
        Prašau perrašyti sutartį mano vardu, mano vyras mirė.
        Technikas neatvyko sutartu laiku.
        Vis dar gaunu priminimus apie sąskaitą, kurią jau apmokėjau.
        Gal galite pasakyti, kada bus pristatytas užsakymas?
        Programėlė rodo klaidą, kai bandau sumokėti.
        Ačiū, problema išspręsta.
    """),
    "uk": lines("""
        Щовечора близько восьмої зникає інтернет.
        З мене двічі зняли плату за той самий місяць.
        Роутер, який ви надіслали, не вмикається.
        Я телефонував уже тричі, і ніхто мені не передзвонив.
        Прошу переоформити договір на моє ім'я, мій чоловік помер.
        Технік не прийшов у домовлений час.
        Я досі отримую нагадування про рахунок, який уже сплатила.
        Підкажіть, будь ласка, коли буде доставлено замовлення?
        Застосунок показує помилку, коли я намагаюся оплатити.
        Дякую, проблему вирішено.
    """),
    "ru": lines("""
        Каждый вечер около восьми пропадает интернет.
        С меня дважды списали плату за один и тот же месяц.
        Присланный вами роутер не включается.
        Я звонил уже три раза, и никто мне не перезвонил.
        Прошу переоформить договор на моё имя, мой муж умер.
        Мастер не пришёл в назначенное время.
        Я всё ещё получаю напоминания о счёте, который уже оплатила.
        Подскажите, пожалуйста, когда доставят заказ?
        Приложение выдаёт ошибку при оплате.
        Спасибо, проблема решена.
    """),
}

AGENT_SAYS = {  # sentences an agent writes or says
    "en": lines("""
        Thank you for your patience, I have checked your account.
        I have booked a technician visit for Thursday morning.
        The duplicate charge will be refunded within five working days.
        I am your case owner and will call you back by 17:00.
        Could you send us the serial number from the back of the device?
        The payment reminder was sent by mistake; it has been cancelled.
    """),
    "lt": lines("""
        Dėkojame už kantrybę, patikrinau jūsų paskyrą.
        Užregistravau technikų vizitą ketvirtadienio rytą.
        Dvigubas mokestis bus grąžintas per penkias darbo dienas.
        Esu atsakingas už jūsų atvejį ir paskambinsiu iki 17:00.
        Gal galėtumėte atsiųsti serijos numerį nuo įrenginio galinės pusės?
        Priminimas apie mokėjimą išsiųstas per klaidą, jis atšauktas.
    """),
    "uk": lines("""
        Дякуємо за терпіння, я перевірив ваш обліковий запис.
        Я записав візит техніка на четвер зранку.
        Подвійну оплату буде повернено протягом п'яти робочих днів.
        Я відповідальний за ваше звернення і передзвоню до 17:00.
        Надішліть, будь ласка, серійний номер із задньої панелі пристрою.
        Нагадування про оплату надіслано помилково, його скасовано.
    """),
    "ru": lines("""
        Спасибо за терпение, я проверил ваш аккаунт.
        Я записал визит мастера на четверг утром.
        Двойное списание будет возвращено в течение пяти рабочих дней.
        Я ответственный за ваше обращение и перезвоню до 17:00.
        Пришлите, пожалуйста, серийный номер с задней панели устройства.
        Напоминание об оплате отправлено по ошибке, оно отменено.
    """),
}

INTERNAL_NOTES = lines("""
    Checked the line tests: intermittent loss on the last mile.
    Customer is upset about repeated calls; handle with priority.
    Billing confirmed the double charge, refund approved.
    Waiting for the courier's confirmation.
    Spoke to the field team lead about the missed visit.
""")


def ascii_stem(text: str) -> str:
    """Lower-case ASCII letters and digits of a name in any of the four languages."""
    folded = "".join(CYRILLIC.get(char, char) for char in text.lower())
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())
