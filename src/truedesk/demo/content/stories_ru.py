# ruff: noqa: RUF001 - the demo is written in Lithuanian, Ukrainian and Russian on purpose
"""Cases of Russian-speaking customers; above all Sergei's week without a dial tone.

Sergei's story follows seed 003: a fibre switch-over, the old line cut the day
before without warning, three promised dates missed, one person after another
on the phone, a "24/7 live support" line that did not answer at the weekend, a
hand-over to a billing department that was closed, and a complaint to the
regulator - until a supervisor gave the case one senior owner.
"""

from __future__ import annotations

from datetime import timedelta

from truedesk.demo.script import (
    CaseStory,
    Opened,
    Vignette,
    accept,
    assign,
    call,
    change_kind,
    decline,
    link_to,
    merge_into,
    note,
    reply,
    said,
    status,
    tag,
    take,
    transfer,
)


def _sergei_week(after: float) -> Opened:
    # Monday of the switch-over week, 07:55; the story's text names weekdays.
    return Opened(days_ago=15, at="07:55", weekday=0, after=after)


_RUNAROUND_STEPS = (
    link_to(0.1, "vera", "sergei_order"),
    call(
        4.3,
        "oksana",
        55,
        "12:15, клиент звонит повторно: монтажник в окно 8–12 не пришёл и не позвонил. Ждал "
        "ответа оператора 35 минут. Обещала выяснить у выездной бригады.",
    ),
    take(4.4, "oksana"),
    call(
        4.5,
        "petro",
        4,
        "Клиент перезвонил уточнить время визита монтажника; ждал на линии, разговор оборвался.",
    ),
    reply(
        4.6,
        "oksana",
        "Сергей Петрович, приносим извинения. Бригада подтвердила: монтажник приедет сегодня до "
        "18:00 и восстановит телефон и интернет.\nОксана Литвиненко, техподдержка",
        status="waiting_on_third_party",
    ),
    call(
        8.0,
        "rasa",
        12,
        "Клиент звонит снова: монтажника всё ещё нет. Попросил перезвонить ему, когда "
        "будет известно время.",
    ),
    call(
        9.5,
        "alice",
        9,
        "Повторный звонок клиента: никто так и не перезвонил. Передала его вопрос "
        "выездной бригаде ещё раз.",
    ),
    call(
        11.2,
        "rasa",
        70,
        "19:05, клиент: монтажник так и не приехал, срок 18:00 прошёл, никто не предупредил. "
        "До оператора дозвонился через 40 минут.",
    ),
    note(
        11.4,
        "rasa",
        "Field system shows today's visit cancelled at 14:10, reason 'customer not at home'. "
        "He says he was home all day and nobody called him. Asked dispatch for tomorrow's "
        "first slot.",
    ),
    call(
        25.3,
        "petro",
        70,
        "Третий звонок клиента. Гудка и интернета по-прежнему нет. Назначен новый визит: завтра, "
        "в среду, до 12:00.",
    ),
    reply(
        25.5,
        "oksana",
        "Сергей Петрович, подтверждаю новый визит: завтра, в среду, до 12:00. Мастер позвонит "
        "вам за час до приезда.",
        status="waiting_on_third_party",
    ),
    call(
        30.0,
        "oksana",
        15,
        "Клиент звонит в пятый раз за два дня: интернета нет, телефона нет. Просит "
        "назвать одного ответственного.",
    ),
    call(
        31.5,
        "vera",
        40,
        "Клиент возмущён: вчерашний визит отменили якобы потому, что «клиента нет дома», а он "
        "весь день был дома. Домашний телефон — единственная связь с дочерью.",
    ),
    call(
        52.6,
        "rasa",
        66,
        "12:30: монтажник снова не пришёл — второй сорванный срок. Клиент говорит, что "
        "потерял уже три рабочих дня.",
    ),
    note(
        53.0,
        "oksana",
        "Field team says the fibre terminal was never activated at the exchange, so the engineer "
        "could not have finished on site anyway. The work order bounces between provisioning and "
        "field and nobody owns it. Chasing provisioning (PRV-3107).",
    ),
    reply(
        54.0,
        "oksana",
        "Сергей Петрович, мне очень жаль. Причина найдена: подключение не активировали на "
        "станции. Связь восстановят до пятницы, 17:00 — я за этим слежу.",
        status="waiting_on_third_party",
    ),
    transfer(
        56.0,
        "oksana",
        to="vera",
        reason="Ухожу в отпуск с четверга — передаю со всеми обещаниями",
        handoff=(
            "No dial tone or internet since Sunday 14:00. Two visits missed. Root cause: the "
            "terminal was not activated at the exchange (PRV-3107). I promised restoration by "
            "Friday 17:00 - please chase provisioning on Thursday morning and call him if "
            "anything slips."
        ),
    ),
    accept(56.5, "vera"),
    call(
        58.0,
        "vera",
        10,
        "Клиент звонит уточнить, кто теперь ведёт его обращение. Объяснила, что теперь "
        "им занимаюсь я, и повторила срок.",
    ),
    call(
        62.0,
        "oksana",
        8,
        "Клиент снова на линии: ждал 25 минут, просит соединить с Верой. Вера на другом "
        "звонке, передала, что он звонил.",
    ),
    call(
        66.0,
        "vera",
        5,
        "Короткий звонок: клиент спрашивает, в силе ли обещание на пятницу. Ответа у "
        "дежурного нет.",
    ),
    call(
        73.3,
        "petro",
        45,
        "Клиент: интернета и телефона по-прежнему нет, работает из дома — потерял четвёртый "
        "рабочий день. Просит, чтобы ему хоть раз перезвонили сами.",
    ),
    call(
        80.5,
        "vera",
        30,
        "Перезвонила клиенту: провижининг обещает активацию в пятницу утром, срок 17:00 в силе.",
        inbound=False,
    ),
    call(
        99.0,
        "alice",
        20,
        "Customer reached the English line by mistake; a Russian-speaking colleague helped on "
        "the call. Still no dial tone; he asks whether Friday 17:00 still holds. Told him Vera "
        "owns the case and will call him.",
    ),
    call(
        105.6,
        "petro",
        100,
        "17:30: третий обещанный срок (пятница, 17:00) сорван, никто не позвонил. Клиент ждал "
        "на линии 50 минут. Требует компенсацию и говорит, что обратится к регулятору.",
    ),
    note(
        106.0,
        "vera",
        "Third promised date missed. Provisioning now says Monday. He asks for compensation - "
        "sending it to Billing so that's ready.",
    ),
    transfer(
        106.2,
        "vera",
        department="billing",
        reason="Клиент требует компенсацию за неделю без связи",
        handoff=(
            "Customer without dial tone and internet since last Sunday; three promised dates "
            "missed. Please work out compensation and call him (Russian)."
        ),
        expires_in=timedelta(days=2),
    ),
    call(
        127.2,
        "bob",
        110,
        "Saturday 15:00: customer got through to the billing line after waiting over an hour. "
        "Not a billing question - he has had no dial tone or internet since last Sunday. "
        "Support has nobody on shift this afternoon, so I stayed on and read him the case: "
        "restoration is now promised for Monday.",
    ),
    decline(
        127.4,
        "bob",
        "Not a billing issue - the service is still down, fix that first. And please don't send "
        "customers to Billing at the weekend: we're closed, and he waited an hour for nothing. "
        "Compensation can be agreed once he's reconnected.",
    ),
    said(
        132.7,
        "В вашей рекламе написано «живая техподдержка 24/7». Сегодня, в субботу, в восемь "
        "вечера я звонил дважды — автоответчик: «позвоните в рабочее время». Это обман. Неделя "
        "без телефона.",
    ),
    call(
        147.7,
        "vera",
        45,
        "Воскресенье, 11:35: клиент дозвонился только после 11:00 — утром линия не отвечала. "
        "Объяснила, что восстановление назначено на понедельник, утро.",
    ),
    note(
        148.0,
        "carol",
        "Runaround: a week without service, seven of us on the phone with him, three missed "
        "promises - and our '24/7 live support' did not answer on Saturday evening or Sunday "
        "morning. Assigning to Igor as the one senior owner until this is fixed. Asked workforce "
        "planning to check weekend staffing against what the website promises.",
    ),
    assign(148.1, "carol", "igor"),
    call(
        148.5,
        "igor",
        15,
        "Позвонил клиенту сам: теперь я его единственный контакт, дал прямой номер. Завтра в "
        "8:00 у него будут монтажник и инженер станции одновременно.",
        inbound=False,
    ),
    reply(
        148.6,
        "igor",
        "Сергей Петрович, меня зовут Игорь Волков. С этой минуты вашим обращением занимаюсь я — "
        "до полного решения. Мой прямой номер: +370 5 200 0077. Завтра, в понедельник, в 8:00 к "
        "вам приедут монтажник и инженер станции вместе; в 10:00 я позвоню вам, даже если всё "
        "уже будет работать. Приношу извинения за эту неделю.",
        status="waiting_on_third_party",
    ),
    tag(148.7, "igor", "runaround", "missed-promise", "24-7-promise"),
    said(
        168.3,
        "Сегодня утром я подал официальную жалобу в Службу регулирования связи (RRT). За неделю "
        "— больше двадцати звонков, больше двенадцати часов на телефоне, три сорванных срока и "
        "ни одного звонка от вас, пока не вмешался ваш руководитель.",
    ),
    change_kind(168.5, "igor", "regulatory_complaint"),
    note(
        168.6,
        "igor",
        "RRT complaint registered; our formal answer is due within 14 days. Legal and Carol "
        "informed. Proposed compensation: two months' fee and no connection charge.",
    ),
    call(
        170.9,
        "igor",
        10,
        "10:50: монтажник и инженер на месте с 8:05; подключение активировано на станции в "
        "10:40. Гудок и интернет есть, клиент подтвердил.",
        inbound=False,
    ),
    reply(
        171.2,
        "igor",
        "Сергей Петрович, подтверждаю письменно: с 10:40 телефон и интернет работают. Вы были без "
        "связи почти восемь суток — это недопустимо. Мы вернём абонентскую плату за два месяца "
        "(2 × 39 €) и не возьмём плату за подключение. Ответ на вашу жалобу мы направим "
        "регулятору и вам в течение 14 дней. В среду я позвоню, чтобы убедиться, что всё "
        "работает.",
        status="waiting_on_third_party",
    ),
)

STORIES = (
    CaseStory(
        key="sergei_order",
        customer="sergei",
        subject="Переход на оптоволокно: интернет, ТВ и телефон",
        body=(
            "Здравствуйте. Хочу перейти с медной линии на ваш пакет «Оптика 300 + ТВ + телефон». "
            "Номер домашнего телефона нужно сохранить. Когда можно подключить?"
        ),
        opened=_sergei_week(-24 * 10 + 3),
        kind="service_request",
        department="sales",
        steps=(
            take(0.5, "petro"),
            reply(
                1,
                "petro",
                "Сергей Петрович, спасибо за заказ! Подключение назначено на понедельник через "
                "полторы недели, с 8:00 до 12:00. Номер сохраняется, старая линия работает до "
                "момента переключения, так что без связи вы не останетесь.",
                status="waiting_on_third_party",
            ),
            note(
                24 * 7,
                "petro",
                "Provisioning marked the order 'completed' today, three days before the visit. "
                "Resolving on their word.",
            ),
            status(24 * 7 + 0.1, "petro", "resolved"),
        ),
    ),
    CaseStory(
        key="sergei_runaround",
        customer="sergei",
        subject="Нет гудка и интернета после перехода на оптоволокно",
        body=(
            "Звонил клиент: переход на оптоволокно назначен на сегодня, с 8 до 12. Но старый "
            "телефон отключили ещё вчера около 14:00, без всякого предупреждения: нет гудка, "
            "интернета тоже нет. Клиенту 67 лет, домашний телефон — его связь с дочерью. "
            "Передаю в очередь техподдержки."
        ),
        opened=_sergei_week(0),
        kind="service_request",
        channel="phone",
        opened_by="vera",
        priority=3,
        severity=3,
        steps=_RUNAROUND_STEPS,
    ),
    CaseStory(
        key="sergei_duplicate",
        customer="sergei",
        subject="Почему мне никто не перезванивает?",
        body=(
            "Пишу через сайт, потому что дозвониться невозможно. Четвёртый день без телефона и "
            "интернета. Каждый раз новый сотрудник, каждый раз новый срок. Почему мне никто не "
            "перезванивает сам?"
        ),
        opened=_sergei_week(85.75),
        kind="complaint",
        channel="portal",
        steps=(merge_into(12.3, "vera", "sergei_runaround"),),
    ),
    CaseStory(
        key="anna_neighbour",
        customer="anna",
        subject="С воскресенья нет интернета — работы в подъезде",
        body=(
            "Звонила клиентка, соседка С. Иванова по дому (Лвово г. 25): после работ ваших "
            "монтажников в подъезде в воскресенье у неё пропал интернет."
        ),
        opened=_sergei_week(26),
        channel="phone",
        opened_by="vera",
        owner_on_open=True,
        steps=(
            link_to(0.1, "vera", "sergei_runaround"),
            reply(
                0.3,
                "vera",
                "Анна Михайловна, подтверждаем: в воскресенье в вашем подъезде работала наша "
                "бригада, и вашу линию тоже задели. Мастер придёт завтра до 12:00.",
                status="waiting_on_third_party",
            ),
            said(26.8, "Мастер не пришёл. Как и к соседу."),
            reply(
                27.5,
                "vera",
                "Анна Михайловна, простите. Причина общая с линией соседа: подключение в доме "
                "не активировано на станции. Как только его включат, я сразу вам напишу.",
                status="waiting_on_third_party",
            ),
            reply(
                145.5,
                "vera",
                "Анна Михайловна, сегодня в 10:40 подключение в вашем доме восстановлено. "
                "Проверьте, пожалуйста, интернет.",
                status="waiting_on_customer",
            ),
            said(147, "Работает. Спасибо."),
            status(147.5, "vera", "resolved"),
        ),
    ),
    CaseStory(
        key="dmitri_rude",
        customer="dmitri",
        subject="Сотрудник нагрубил мне по телефону",
        body=(
            "Вчера я звонил узнать, как перенести интернет на наш новый склад. Сотрудник "
            "перебивал меня, сказал, что «это не его проблема», и бросил трубку. Мы ваши клиенты "
            "уже несколько лет. Прошу разобраться."
        ),
        opened=Opened(days_ago=8, at="15:30", weekday=0),
        kind="complaint",
        department="complaints",
        steps=(
            take(1, "igor"),
            reply(
                1.5,
                "igor",
                "Дмитрий, благодарю, что написали, и приношу извинения. Я прослушал запись "
                "вчерашнего разговора: тон сотрудника был недопустимым, с ним уже поговорили. "
                "Перенос интернета на новый склад я взял на себя: техник может приехать в "
                "четверг с 9 до 11. Вам подходит?",
                status="waiting_on_customer",
            ),
            said(24, "Спасибо за быструю реакцию. Четверг подходит."),
            reply(
                25,
                "igor",
                "Записал. В четверг в 8:30 техник позвонит вам перед выездом.",
                status="waiting_on_third_party",
            ),
            status(70, "igor", "resolved"),
            tag(70.1, "igor", "rude-staff"),
        ),
    ),
    CaseStory(
        key="maria_warehouse",
        customer="maria",
        subject="Оптоволокно и телефония для нового склада",
        body=(
            "Добрый день. Мы переносим склад в Григишкес, ул. Вильняус 30. Нужны интернет 300 "
            "Мбит/с, четыре телефонные линии и видеонаблюдение через облако. Пришлите, "
            "пожалуйста, предложение."
        ),
        opened=Opened(days_ago=27, at="11:00"),
        kind="sales_enquiry",
        department="sales",
        steps=(
            take(2, "petro"),
            reply(
                2.5,
                "petro",
                "Мария, добрый день! Для склада предлагаем «Бизнес 300» с фиксированным IP, четыре "
                "IP-линии и облачное хранение видео на 30 дней: 119 € в месяц, подключение "
                "бесплатно при договоре на 24 месяца. Договор прикладываю.",
                status="waiting_on_customer",
            ),
            said(50, "Согласны. Подписанный договор прилагаю."),
            reply(
                51,
                "petro",
                "Спасибо! Подключение назначено через две недели, во вторник с 9 до 13; "
                "накануне техник позвонит Дмитрию Кузнецову.",
                status="resolved",
            ),
            status(24 * 12, "petro", "closed"),
        ),
    ),
)

VIGNETTES = (
    Vignette(
        "ru",
        "question",
        "support",
        "Как подключить второй телевизор?",
        "Здравствуйте. Купили второй телевизор в спальню. Можно ли смотреть ваше ТВ и на нём?",
        "Здравствуйте! Да: можно взять вторую приставку за 3 € в месяц или смотреть через наше "
        "приложение на Smart TV бесплатно. Что вам удобнее?",
        "Приложение. Но я не нашёл его в магазине на телевизоре.",
        "Для вашей модели приложение называется «BF TV» и находится в разделе «Видео». Войдите "
        "с тем же логином, что и в личном кабинете.",
        speaker="m",
    ),
    Vignette(
        "ru",
        "billing_dispute",
        "billing",
        "Списали плату за отключённую услугу",
        "Я отказался от домашнего телефона ещё в прошлом месяце, а плату за него снова "
        "списали. Верните, пожалуйста.",
        "Проверили: заявка на отключение была принята, но не выполнена. Телефон отключили "
        "сегодня, 7,50 € вернём в следующем счёте. Приносим извинения.",
        "А за прошлый месяц тоже вернёте?",
        "Да, вернём за оба месяца — всего 15 €. Это будет видно в следующем счёте.",
        speaker="m",
    ),
    Vignette(
        "ru",
        "service_request",
        "support",
        "Перенести номер от другого оператора",
        "Хочу перейти к вам со своим мобильным номером. Что нужно сделать?",
        "Оформите заявку в личном кабинете или в салоне; перенос займёт до трёх рабочих дней, "
        "номер всё это время будет работать. SIM-карту пришлём курьером.",
        "Заявку оформил, SIM получил. Когда она заработает?",
        "Перенос завершён сегодня в 6:00 — перезагрузите телефон, и новая SIM заработает с "
        "вашим номером.",
        speaker="m",
        home=False,
    ),
    Vignette(
        "ru",
        "complaint",
        "complaints",
        "Обещали перезвонить и не перезвонили",
        "Три дня назад мне обещали перезвонить насчёт неработающего ТВ. Никто не позвонил. "
        "Сколько можно ждать?",
        "Приносим извинения — обещание не было записано, и его никто не выполнил. Ваша "
        "приставка потеряла регистрацию; мы восстановили её удалённо. Проверьте, пожалуйста, "
        "ТВ.",
        "ТВ работает. Но почему нельзя было сделать это сразу?",
        "Вы правы: это можно было сделать в первый же звонок. Мы разобрали ваш случай с "
        "командой, а в качестве извинения начислили 10 € на ваш счёт.",
    ),
    Vignette(
        "ru",
        "sales_enquiry",
        "sales",
        "Интернет на дачу",
        "Добрый день, есть ли у вас интернет для дачи в Тракайском районе? Только на лето.",
        "Добрый день! Подойдёт 4G-роутер с сезонным тарифом: 15 € в месяц, без договора, можно "
        "приостановить на зиму.",
        "Подходит. Можно забрать роутер в салоне?",
        "Роутер ждёт вас в салоне «Акрополис», тариф включим в момент получения.",
    ),
    Vignette(
        "ru",
        "question",
        "support",
        "Медленный интернет по вечерам",
        "Вечером интернет сильно тормозит, особенно видео. Днём нормально. Это у всех так?",
        "Проверили линию: на нашей стороне всё в порядке, но ваш роутер работает на "
        "перегруженном канале Wi-Fi 2,4 ГГц. Переключили его на 5 ГГц — попробуйте сегодня "
        "вечером.",
        "Стало лучше, но в дальней комнате сигнал слабый.",
        "Для дальней комнаты можем бесплатно прислать усилитель сигнала — уже отправили, "
        "придёт через два дня.",
    ),
    Vignette(
        "ru",
        "billing_dispute",
        "billing",
        "Счёт в два раза больше обычного",
        "Мой счёт в этом месяце 58 € вместо обычных 29 €. Я ничего не менял.",
        "Проверили: в счёт ошибочно попали звонки на платный номер, которых не было. Мы "
        "исправили счёт — к оплате 29 €.",
        "Спасибо. Новый счёт пришлёте?",
        "Исправленный счёт уже в личном кабинете и продублирован вам на почту.",
        speaker="m",
    ),
    Vignette(
        "ru",
        "service_request",
        "support",
        "Нужен счёт на юридическое лицо",
        "Оформил интернет на себя, а платить будет моя фирма. Можно ли получать счета на фирму?",
        "Можно: пришлите реквизиты фирмы (название, код, НДС-код, адрес), и со следующего "
        "месяца счета будут выставляться на неё.",
        "Реквизиты отправил ответным письмом.",
        "Реквизиты внесли — следующий счёт будет выставлен на фирму.",
        speaker="m",
    ),
    Vignette(
        "ru",
        "complaint",
        "complaints",
        "Роутер сломался через неделю после замены",
        "Вам заменили роутер неделю назад, и он опять не включается. Я третий раз без "
        "интернета в этом месяце.",
        "Очень жаль. Новый роутер другой модели отправили курьером — будет у вас завтра до "
        "12:00. Старый курьер заберёт.",
        "Роутер привезли, но интернет не появился.",
        "Новый роутер нужно было зарегистрировать на станции — сделали это сейчас. Интернет "
        "заработает после перезагрузки. За неудобства начислили компенсацию 10 €.",
    ),
    Vignette(
        "ru",
        "question",
        "support",
        "Как посмотреть детализацию звонков?",
        "Где посмотреть детализацию звонков за прошлый месяц?",
        "В личном кабинете: «Мобильная связь» → «Детализация». Там можно выбрать месяц и "
        "скачать файл.",
        "Там пусто за прошлый месяц.",
        "Детализация за прошлый месяц формировалась с задержкой; теперь она доступна. "
        "Проверьте, пожалуйста.",
        home=False,
    ),
)
