"""The slot-value pools other than times: things to do, places, music, people, messages.

Owns the per-language forms of every non-time slot value (see :class:`Value`). Names of
people and places are written as each language writes them (``Anna``, ``अन्ना``,
``แอนนา``); artists and song titles mostly stay in Latin script in Hindi and Thai, as
speakers of those languages usually type them, which is also what makes them look the
same across languages. Forms are written for the templates' grammar: German things to
do are zu-infinitives (``Milch zu kaufen``, after ``daran,``), French genres follow
``musique``, Hindi weather words are feminine or invariant nouns (before ``की
संभावना``), message texts are main clauses (after ``that``/``que``/``कि``/``ว่า``).
"""

from __future__ import annotations

from benchmarks.demo.lexicon import Value, value
from benchmarks.demo.times import time_pools

# key, en, de, es, fr, hi, th
TODOS = (
    ("buy-milk", "buy milk", "Milch zu kaufen", "comprar leche", "acheter du lait", "दूध खरीदना", "ซื้อ นม"),
    ("call-dentist", "call the dentist", "den Zahnarzt anzurufen", "llamar al dentista", "appeler le dentiste",
     "डेंटिस्ट को फ़ोन करना", "โทร หา หมอ ฟัน"),
    ("take-medicine", "take my medicine", "meine Medikamente zu nehmen", "tomar mis medicinas", "prendre mes médicaments",
     "दवाई लेना", "กิน ยา"),
    ("water-plants", "water the plants", "die Pflanzen zu gießen", "regar las plantas", "arroser les plantes",
     "पौधों को पानी देना", "รด น้ำ ต้นไม้"),
    ("pay-rent", "pay the rent", "die Miete zu bezahlen", "pagar el alquiler", "payer le loyer", "किराया भरना", "จ่าย ค่า เช่า"),
    ("pick-up-kids", "pick up the kids", "die Kinder abzuholen", "recoger a los niños", "aller chercher les enfants",
     "बच्चों को लेने जाना", "ไป รับ ลูก"),
    ("take-out-trash", "take out the trash", "den Müll rauszubringen", "sacar la basura", "sortir les poubelles",
     "कचरा बाहर फेंकना", "เอา ขยะ ไป ทิ้ง"),
    ("book-table", "book a table", "einen Tisch zu reservieren", "reservar una mesa", "réserver une table", "टेबल बुक करना",
     "จอง โต๊ะ"),
    ("send-report", "send the report", "den Bericht zu schicken", "enviar el informe", "envoyer le rapport", "रिपोर्ट भेजना",
     "ส่ง รายงาน"),
    ("feed-cat", "feed the cat", "die Katze zu füttern", "darle de comer al gato", "nourrir le chat", "बिल्ली को खाना देना",
     "เอา อาหาร ให้ แมว"),
    ("charge-phone", "charge my phone", "mein Handy aufzuladen", "cargar el móvil", "recharger mon téléphone",
     "फ़ोन चार्ज करना", "ชาร์จ โทรศัพท์"),
    ("renew-passport", "renew my passport", "meinen Reisepass zu verlängern", "renovar el pasaporte",
     "renouveler mon passeport", "पासपोर्ट रिन्यू करवाना", "ต่อ อายุ พาสปอร์ต"),
    ("birthday-present", "buy a birthday present", "ein Geburtstagsgeschenk zu kaufen", "comprar un regalo de cumpleaños",
     "acheter un cadeau d'anniversaire", "जन्मदिन का तोहफ़ा खरीदना", "ซื้อ ของขวัญ วันเกิด"),
    ("go-to-gym", "go to the gym", "ins Fitnessstudio zu gehen", "ir al gimnasio", "aller à la salle de sport", "जिम जाना",
     "ไป ยิม"),
    # Things to do that mention a contact or a city: confusable with calls and directions.
    ("call-mom", "call mom", "Mama anzurufen", "llamar a mamá", "appeler maman", "मम्मी को फ़ोन करना", "โทร หา แม่"),
    ("book-flight", "book the flight to Madrid", "den Flug nach Madrid zu buchen", "reservar el vuelo a Madrid",
     "réserver le vol pour Madrid", "मैड्रिड की फ़्लाइट बुक करना", "จอง ตั๋ว เครื่องบิน ไป มาดริด"),
    ("check-oven", "check the oven", "nach dem Ofen zu sehen", "revisar el horno", "vérifier le four", "ओवन चेक करना",
     "เช็ค เตาอบ"),
    ("return-books", "return the library books", "die Bücher in die Bibliothek zurückzubringen",
     "devolver los libros a la biblioteca", "rendre les livres à la bibliothèque", "लाइब्रेरी की किताबें लौटाना",
     "คืน หนังสือ ห้องสมุด"),
    ("do-laundry", "do the laundry", "die Wäsche zu waschen", "poner la lavadora", "faire la lessive", "कपड़े धोना", "ซัก ผ้า"),
    ("pack-suitcase", "pack my suitcase", "meinen Koffer zu packen", "hacer la maleta", "faire ma valise",
     "सूटकेस पैक करना", "จัด กระเป๋า"),
)

CITIES = (
    ("london", "London", "London", "Londres", "Londres", "लंदन", "ลอนดอน"),
    ("paris", "Paris", "Paris", "París", "Paris", "पेरिस", "ปารีส"),
    ("berlin", "Berlin", "Berlin", "Berlín", "Berlin", "बर्लिन", "เบอร์ลิน"),
    ("madrid", "Madrid", "Madrid", "Madrid", "Madrid", "मैड्रिड", "มาดริด"),
    ("rome", "Rome", "Rom", "Roma", "Rome", "रोम", "โรม"),
    ("munich", "Munich", "München", "Múnich", "Munich", "म्यूनिख", "มิวนิก"),
    ("vienna", "Vienna", "Wien", "Viena", "Vienne", "वियना", "เวียนนา"),
    ("lisbon", "Lisbon", "Lissabon", "Lisboa", "Lisbonne", "लिस्बन", "ลิสบอน"),
    ("barcelona", "Barcelona", "Barcelona", "Barcelona", "Barcelone", "बार्सिलोना", "บาร์เซโลนา"),
    ("lyon", "Lyon", "Lyon", "Lyon", "Lyon", "ल्योन", "ลียง"),
    ("hamburg", "Hamburg", "Hamburg", "Hamburgo", "Hambourg", "हैम्बर्ग", "ฮัมบูร์ก"),
    ("delhi", "Delhi", "Delhi", "Delhi", "Delhi", "दिल्ली", "เดลี"),
    ("mumbai", "Mumbai", "Mumbai", "Bombay", "Bombay", "मुंबई", "มุมไบ"),
    ("jaipur", "Jaipur", "Jaipur", "Jaipur", "Jaipur", "जयपुर", "ชัยปุระ"),
    ("bangkok", "Bangkok", "Bangkok", "Bangkok", "Bangkok", "बैंकॉक", "กรุงเทพฯ"),
    ("chiang-mai", "Chiang Mai", "Chiang Mai", "Chiang Mai", "Chiang Mai", "चियांग माई", "เชียงใหม่"),
    ("phuket", "Phuket", "Phuket", "Phuket", "Phuket", "फुकेत", "ภูเก็ต"),
    ("tokyo", "Tokyo", "Tokio", "Tokio", "Tokyo", "टोक्यो", "โตเกียว"),
    ("new-york", "New York", "New York", "Nueva York", "New York", "न्यूयॉर्क", "นิวยอร์ก"),
    ("chicago", "Chicago", "Chicago", "Chicago", "Chicago", "शिकागो", "ชิคาโก"),
    ("toronto", "Toronto", "Toronto", "Toronto", "Toronto", "टोरंटो", "โตรอนโต"),
    ("sydney", "Sydney", "Sydney", "Sídney", "Sydney", "सिडनी", "ซิดนีย์"),
    ("seville", "Seville", "Sevilla", "Sevilla", "Séville", "सेविले", "เซบียา"),
    ("marseille", "Marseille", "Marseille", "Marsella", "Marseille", "मार्सेय", "มาร์แซย์"),
    ("cologne", "Cologne", "Köln", "Colonia", "Cologne", "कोलोन", "โคโลญ"),
    ("prague", "Prague", "Prag", "Praga", "Prague", "प्राग", "ปราก"),
    ("amsterdam", "Amsterdam", "Amsterdam", "Ámsterdam", "Amsterdam", "एम्स्टर्डम", "อัมสเตอร์ดัม"),
    ("athens", "Athens", "Athen", "Atenas", "Athènes", "एथेंस", "เอเธนส์"),
)

WEATHER = (
    ("rain", "rain", "Regen", "lluvia", "de la pluie", "बारिश", "ฝน"),
    ("snow", "snow", "Schnee", "nieve", "de la neige", "बर्फ़बारी", "หิมะ"),
    ("fog", "fog", "Nebel", "niebla", "du brouillard", "धुंध", "หมอก"),
    ("thunderstorms", "thunderstorms", "Gewitter", "tormentas", "des orages", "आंधी-तूफ़ान", "พายุ ฝน ฟ้า คะนอง"),
    ("strong-wind", "strong wind", "starken Wind", "viento fuerte", "du vent fort", "तेज़ हवा", "ลม แรง"),
    ("hail", "hail", "Hagel", "granizo", "de la grêle", "ओलावृष्टि", "ลูกเห็บ"),
    ("sunshine", "sunshine", "Sonnenschein", "sol", "du soleil", "धूप", "แดด"),
    ("heatwave", "a heatwave", "eine Hitzewelle", "una ola de calor", "une canicule", "लू", "คลื่น ความ ร้อน"),
)

TRAVEL = (
    ("car", "by car", "mit dem Auto", "en coche", "en voiture", "कार से", "ขับ รถ"),
    ("train", "by train", "mit dem Zug", "en tren", "en train", "ट्रेन से", "นั่ง รถไฟ"),
    ("bus", "by bus", "mit dem Bus", "en autobús", "en bus", "बस से", "นั่ง รถเมล์"),
    ("foot", "on foot", "zu Fuß", "a pie", "à pied", "पैदल", "เดิน"),
    ("bike", "by bike", "mit dem Fahrrad", "en bici", "à vélo", "साइकिल से", "ปั่น จักรยาน"),
)
# A machine translation writes the Thai literally ("by car" -> โดยรถยนต์), where a
# speaker uses the verb of the trip (ขับรถ, "drive").
THAI_MACHINE_TRAVEL = {"car": "โดย รถยนต์", "train": "โดย รถไฟ", "bus": "โดย รถบัส", "foot": "ด้วย การ เดิน", "bike": "โดย จักรยาน"}

# key, en (= de, es, fr), hi, th; None: as in English.
PEOPLE = (
    ("anna", "Anna", "अन्ना", "แอนนา"), ("maria", "Maria", "मारिया", "มาเรีย"), ("david", "David", "डेविड", "เดวิด"),
    ("lukas", "Lukas", "लुकास", "ลูคัส"), ("sofia", "Sofia", "सोफ़िया", "โซเฟีย"), ("carlos", "Carlos", "कार्लोस", "คาร์ลอส"),
    ("emma", "Emma", "एम्मा", "เอ็มม่า"), ("tom", "Tom", "टॉम", "ทอม"), ("priya", "Priya", "प्रिया", "ปรียา"),
    ("rahul", "Rahul", "राहुल", "ราหุล"), ("somchai", "Somchai", "सोमचाई", "สมชาย"), ("nina", "Nina", "नीना", "นีน่า"),
    ("paul", "Paul", "पॉल", "พอล"), ("julia", "Julia", "जूलिया", "จูเลีย"), ("ahmed", "Ahmed", "अहमद", "อาห์เหม็ด"),
    ("yuki", "Yuki", "युकी", "ยูกิ"), ("marco", "Marco", "मार्को", "มาร์โก"), ("elena", "Elena", "एलेना", "เอเลนา"),
    ("omar", "Omar", "उमर", "โอมาร์"), ("arjun", "Arjun", "अर्जुन", "อรชุน"), ("kanya", "Kanya", "कन्या", "กัญญา"),
    ("isabel", "Isabel", "इसाबेल", "อิซาเบล"),
)
FAMILY = (
    ("mom", "mom", "Mama", "mamá", "maman", "मम्मी", "แม่"),
    ("dad", "dad", "Papa", "papá", "papa", "पापा", "พ่อ"),
)

# key, en (= other languages unless overridden), overrides
ARTISTS = (
    ("taylor-swift", "Taylor Swift", {}), ("adele", "Adele", {}), ("ed-sheeran", "Ed Sheeran", {}),
    ("shakira", "Shakira", {}), ("coldplay", "Coldplay", {}), ("beyonce", "Beyoncé", {}), ("bad-bunny", "Bad Bunny", {}),
    ("bts", "BTS", {}), ("daft-punk", "Daft Punk", {}), ("queen", "Queen", {}), ("stromae", "Stromae", {}),
    ("rammstein", "Rammstein", {}), ("arijit-singh", "Arijit Singh", {"hi": "अरिजीत सिंह"}),
    ("shreya-ghoshal", "Shreya Ghoshal", {"hi": "श्रेया घोषाल"}), ("bodyslam", "Bodyslam", {"th": "บอดี้สแลม"}),
    ("lisa", "Lisa", {"th": "ลิซ่า"}), ("rosalia", "Rosalía", {}), ("edith-piaf", "Édith Piaf", {}),
    ("helene-fischer", "Helene Fischer", {}), ("manu-chao", "Manu Chao", {}), ("dua-lipa", "Dua Lipa", {}),
    ("the-weeknd", "The Weeknd", {}), ("billie-eilish", "Billie Eilish", {}), ("bruno-mars", "Bruno Mars", {}),
)
# key, title, artist key, overrides
SONGS = (
    ("shape-of-you", "Shape of You", "ed-sheeran", {}), ("perfect", "Perfect", "ed-sheeran", {}),
    ("hello", "Hello", "adele", {}), ("someone-like-you", "Someone Like You", "adele", {}),
    ("hips-dont-lie", "Hips Don't Lie", "shakira", {}), ("waka-waka", "Waka Waka", "shakira", {}),
    ("yellow", "Yellow", "coldplay", {}), ("viva-la-vida", "Viva la Vida", "coldplay", {}),
    ("halo", "Halo", "beyonce", {}), ("dynamite", "Dynamite", "bts", {}), ("get-lucky", "Get Lucky", "daft-punk", {}),
    ("bohemian-rhapsody", "Bohemian Rhapsody", "queen", {}), ("alors-on-danse", "Alors on danse", "stromae", {}),
    ("papaoutai", "Papaoutai", "stromae", {}), ("du-hast", "Du hast", "rammstein", {}),
    ("tum-hi-ho", "Tum Hi Ho", "arijit-singh", {"hi": "तुम ही हो"}), ("kesariya", "Kesariya", "arijit-singh", {"hi": "केसरिया"}),
    ("levitating", "Levitating", "dua-lipa", {}), ("blinding-lights", "Blinding Lights", "the-weeknd", {}),
    ("bad-guy", "Bad Guy", "billie-eilish", {}), ("uptown-funk", "Uptown Funk", "bruno-mars", {}),
    ("la-vie-en-rose", "La vie en rose", "edith-piaf", {}), ("atemlos", "Atemlos durch die Nacht", "helene-fischer", {}),
    ("clandestino", "Clandestino", "manu-chao", {}), ("despecha", "Despechá", "rosalia", {}),
    ("anti-hero", "Anti-Hero", "taylor-swift", {}), ("shake-it-off", "Shake It Off", "taylor-swift", {}),
    ("money", "Money", "lisa", {}), ("lalisa", "Lalisa", "lisa", {}), ("tusa", "Monaco", "bad-bunny", {}),
)
GENRES = (
    ("jazz", "jazz", "Jazz", "jazz", "jazz", "जैज़", "แจ๊ส"), ("rock", "rock", "Rock", "rock", "rock", "रॉक", "ร็อก"),
    ("pop", "pop", "Pop", "pop", "pop", "पॉप", "ป๊อป"),
    ("classical", "classical", "Klassik", "clásica", "classique", "क्लासिकल", "คลาสสิก"),
    ("hip-hop", "hip hop", "Hip-Hop", "hip hop", "hip-hop", "हिप हॉप", "ฮิปฮอป"),
    ("reggaeton", "reggaeton", "Reggaeton", "reguetón", "reggaeton", "रेगेटन", "เร็กเกตอน"),
    ("country", "country", "Country", "country", "country", "कंट्री", "คันทรี"),
    ("metal", "metal", "Metal", "metal", "metal", "मेटल", "เมทัล"), ("blues", "blues", "Blues", "blues", "blues", "ब्लूज़", "บลูส์"),
    ("electronic", "electronic", "Elektro", "electrónica", "électronique", "इलेक्ट्रॉनिक", "อิเล็กทรอนิกส์"),
    ("k-pop", "k-pop", "K-Pop", "k-pop", "k-pop", "के-पॉप", "เคป๊อป"),
    ("bollywood", "Bollywood", "Bollywood", "bollywood", "bollywood", "बॉलीवुड", "บอลลีวูด"),
)
PLAYLISTS = (
    ("favorites", "favorites", "Favoriten", "favoritos", "coups de cœur", "पसंदीदा", "เพลง โปรด"),
    ("workout", "workout", "Training", "entrenamiento", "sport", "वर्कआउट", "ออกกำลังกาย"),
    ("party", "party", "Party", "fiesta", "soirée", "पार्टी", "ปาร์ตี้"),
    ("sleep", "sleep", "Schlafen", "dormir", "sommeil", "सोने वाली", "ก่อน นอน"),
    ("road-trip", "road trip", "Roadtrip", "viaje", "road trip", "रोड ट्रिप", "เดินทาง"),
    ("summer-hits", "summer hits", "Sommerhits", "éxitos de verano", "tubes de l'été", "समर हिट्स", "เพลง ฮิต หน้า ร้อน"),
    ("chill", "chill", "Entspannung", "relax", "détente", "चिल", "ชิลล์"),
    ("study", "study", "Lernen", "estudio", "révisions", "पढ़ाई वाली", "อ่าน หนังสือ"),
    ("running", "running", "Laufen", "correr", "course", "रनिंग", "วิ่ง"),
    ("cooking", "cooking", "Kochen", "cocina", "cuisine", "कुकिंग", "ทำ อาหาร"),
)
MESSAGES = (
    ("running-late", "I'm running late", "ich komme später", "voy a llegar tarde", "je vais être en retard",
     "मुझे देर हो जाएगी", "ฉัน จะ ไป สาย"),
    ("on-my-way", "I'm on my way", "ich bin unterwegs", "voy en camino", "je suis en route", "मैं रास्ते में हूँ",
     "ฉัน กำลัง ไป"),
    ("dinner-ready", "dinner is ready", "das Essen ist fertig", "la cena está lista", "le dîner est prêt", "खाना तैयार है",
     "อาหาร เย็น พร้อม แล้ว"),
    ("meeting-cancelled", "the meeting is cancelled", "das Meeting fällt aus", "la reunión se canceló",
     "la réunion est annulée", "मीटिंग रद्द हो गई है", "ประชุม ถูก ยกเลิก แล้ว"),
    ("love-you", "I love you", "ich hab dich lieb", "te quiero", "je t'aime", "मैं तुमसे प्यार करता हूँ", "ฉัน รัก เธอ"),
    ("call-later", "I'll call you later", "ich rufe dich später an", "te llamo más tarde", "je t'appelle plus tard",
     "मैं तुम्हें बाद में फ़ोन करूँगा", "เดี๋ยว ฉัน โทร กลับ"),
    ("train-delayed", "the train is delayed", "der Zug hat Verspätung", "el tren viene con retraso", "le train a du retard",
     "ट्रेन लेट है", "รถไฟ มา ช้า"),
    ("stuck-in-traffic", "I'm stuck in traffic", "ich stehe im Stau", "estoy en un atasco", "je suis coincé dans les bouchons",
     "मैं ट्रैफ़िक में फँसा हूँ", "ฉัน รถ ติด อยู่"),
    ("forgot-keys", "I forgot my keys", "ich habe meine Schlüssel vergessen", "se me olvidaron las llaves",
     "j'ai oublié mes clés", "मैं अपनी चाबियाँ भूल गया", "ฉัน ลืม กุญแจ"),
    # Message texts with a time in them: confusable with DATE_TIME.
    ("home-at-8", "I'll be home at 8", "ich bin um 8 zu Hause", "llego a casa a las 8", "je rentre à 8 h",
     "मैं 8 बजे घर पहुँचूँगा", "ฉัน จะ ถึง บ้าน ตอน 2 ทุ่ม"),
    ("see-you-tomorrow", "see you tomorrow", "wir sehen uns morgen", "nos vemos mañana", "on se voit demain",
     "कल मिलते हैं", "เจอ กัน พรุ่งนี้"),
    ("bought-tickets", "I bought the tickets", "ich habe die Tickets gekauft", "compré las entradas",
     "j'ai acheté les billets", "मैंने टिकट खरीद लिए हैं", "ฉัน ซื้อ ตั๋ว แล้ว"),
    ("out-of-milk", "we're out of milk", "wir haben keine Milch mehr", "no queda leche", "il n'y a plus de lait",
     "दूध खत्म हो गया है", "นม หมด แล้ว"),
    ("package-arrived", "the package arrived", "das Paket ist angekommen", "el paquete ya llegó", "le colis est arrivé",
     "पार्सल आ गया है", "พัสดุ มา ถึง แล้ว"),
)


def _table(rows: tuple) -> tuple[Value, ...]:
    return tuple(value(key, *forms) for key, *forms in rows)


def _people() -> tuple[Value, ...]:
    return tuple(value(key, latin, hi=hindi, th=thai) for key, latin, hindi, thai in PEOPLE) + _table(FAMILY)


def _artists() -> tuple[Value, ...]:
    return tuple(value(key, name, **overrides) for key, name, overrides in ARTISTS)


def _songs() -> tuple[Value, ...]:
    return tuple(value(key, title, artist=artist, **overrides) for key, title, artist, overrides in SONGS)


def _travel() -> tuple[Value, ...]:
    return tuple(
        Value(item.key, item.forms, {"th": THAI_MACHINE_TRAVEL[item.key]}) for item in _table(TRAVEL)
    )


def value_pools() -> dict[str, tuple[Value, ...]]:
    """Every pool by name (the names :data:`benchmarks.demo.schema.INTENTS` refers to)."""
    pools = dict(time_pools())
    pools.update(
        todo=_table(TODOS),
        city=_table(CITIES),
        weather=_table(WEATHER),
        travel=_travel(),
        person=_people(),
        artist=_artists(),
        song=_songs(),
        genre=_table(GENRES),
        playlist=_table(PLAYLISTS),
        message=_table(MESSAGES),
    )
    return pools
