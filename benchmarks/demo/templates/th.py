"""Thai templates: native (colloquial, labelled files) and machine-translation style.

Spaces here are word boundaries, not characters: Thai is written without spaces, and the
utterance builder joins Thai words directly and sets off digits and Latin names with a
space (``ตั้งนาฬิกาปลุกพรุ่งนี้ 7 โมงเช้า``, ``เปิดเพลงของ Ed Sheeran``). Colloquial
particles (``หน่อย``, ``ด้วย``, ``ไหม``) end many requests. The machine-translation
templates (alignment only) read like literal translations of the English: ``กรุณา``,
``หรือไม่``, ``เล่น`` for "play", ``โดย`` for "by", ``ไปยัง`` for "to".
"""

TEMPLATES = {
    "IN:SET_ALARM": (
        "ตั้ง นาฬิกา ปลุก {DATE_TIME}",
        "ปลุก ฉัน {DATE_TIME} ด้วย",
        "ช่วย ตั้ง ปลุก {DATE_TIME} หน่อย",
        "{DATE_TIME} ต้อง ตื่น ตั้ง ปลุก ให้ ที",
        "ขอ นาฬิกา ปลุก {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "ยกเลิก นาฬิกา ปลุก {DATE_TIME}",
        "ลบ การ ปลุก {DATE_TIME}",
        "ปิด ปลุก {DATE_TIME}",
        "ไม่ ต้อง ปลุก {DATE_TIME} แล้ว",
    ),
    "IN:CREATE_TIMER": (
        "ตั้ง เวลา {DURATION}",
        "จับ เวลา {DURATION}",
        "ตั้ง ตัว จับ เวลา {DURATION}",
        "นับ ถอยหลัง {DURATION}",
        "ช่วย จับ เวลา ให้ หน่อย {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "ยกเลิก ตัว จับ เวลา",
        "หยุด จับ เวลา",
        "ปิด ตัว ตั้ง เวลา",
        "ไม่ ต้อง จับ เวลา แล้ว",
        "ลบ ตัว จับ เวลา",
    ),
    "IN:CREATE_REMINDER": (
        "เตือน ฉัน ให้ {TODO} {DATE_TIME}",
        "{DATE_TIME} เตือน ให้ {TODO} ด้วย",
        "ตั้ง แจ้งเตือน ให้ {TODO} {DATE_TIME}",
        "อย่า ลืม เตือน ฉัน {DATE_TIME} ว่า ต้อง {TODO}",
    ),
    "IN:GET_REMINDER": (
        "{DATE_TIME} มี อะไร ต้อง ทำ บ้าง",
        "มี การ แจ้งเตือน อะไร บ้าง {DATE_TIME}",
        "ขอ ดู รายการ เตือน {DATE_TIME}",
        "{DATE_TIME} มี เตือน อะไร ไหม",
    ),
    "IN:GET_WEATHER": (
        "{DATE_TIME} ที่ {LOCATION} อากาศ เป็น ยังไง",
        "สภาพ อากาศ ที่ {LOCATION} {DATE_TIME}",
        "พยากรณ์ อากาศ {LOCATION} {DATE_TIME}",
        "{DATE_TIME} ไป {LOCATION} ต้อง พก ร่ม ไหม",
        "{DATE_TIME} ที่ {LOCATION} จะ มี {WEATHER_ATTRIBUTE} ไหม",
        "{LOCATION} {DATE_TIME} มี โอกาส ที่ จะ มี {WEATHER_ATTRIBUTE} ไหม",
        "เช็ค ให้ หน่อย ว่า {DATE_TIME} {LOCATION} จะ มี {WEATHER_ATTRIBUTE} หรือ เปล่า",
    ),
    "IN:PLAY_MUSIC": (
        "เปิด เพลง ของ {ARTIST}",
        "อยาก ฟัง เพลง {ARTIST}",
        "เปิด {ARTIST} ให้ ฟัง หน่อย",
        "ขอ เพลง ของ {ARTIST}",
        "เปิด เพลง {SONG} ของ {ARTIST}",
        "อยาก ฟัง {SONG} ของ {ARTIST}",
        "ขอ ฟัง เพลง {SONG} ของ {ARTIST} หน่อย",
        "เปิด เพลง {GENRE}",
        "อยาก ฟัง เพลง แนว {GENRE}",
        "ขอ เพลง {GENRE} หน่อย",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "เพิ่ม {SONG} ลง เพลย์ลิสต์ {PLAYLIST}",
        "เอา {SONG} ใส่ ใน เพลย์ลิสต์ {PLAYLIST}",
        "บันทึก {SONG} ไว้ ใน เพลย์ลิสต์ {PLAYLIST}",
        "เพิ่ม เพลง {SONG} ของ {ARTIST} ลง เพลย์ลิสต์ {PLAYLIST}",
        "เอา {SONG} ของ {ARTIST} ใส่ เพลย์ลิสต์ {PLAYLIST}",
        "เก็บ เพลง {SONG} ของ {ARTIST} ไว้ ใน เพลย์ลิสต์ {PLAYLIST}",
    ),
    "IN:SEND_MESSAGE": (
        "ส่ง ข้อความ หา {CONTACT} ว่า {CONTENT_EXACT}",
        "บอก {CONTACT} ว่า {CONTENT_EXACT}",
        "ส่ง ไลน์ ไป บอก {CONTACT} ว่า {CONTENT_EXACT}",
        "พิมพ์ ไป หา {CONTACT} ว่า {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "อ่าน ข้อความ จาก {CONTACT}",
        "{CONTACT} ส่ง ข้อความ มา ไหม",
        "เปิด ข้อความ ของ {CONTACT} ให้ ดู หน่อย",
        "มี ข้อความ ใหม่ จาก {CONTACT} ไหม",
    ),
    "IN:CREATE_CALL": (
        "โทร หา {CONTACT}",
        "โทร ไป หา {CONTACT} หน่อย",
        "ต่อ สาย หา {CONTACT}",
        "วิดีโอ คอล หา {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "ไป {DESTINATION} ยังไง",
        "ขอ เส้นทาง ไป {DESTINATION}",
        "นำทาง ไป {DESTINATION}",
        "พา ไป {DESTINATION} หน่อย",
        "{METHOD_TRAVEL} ไป {DESTINATION} ยังไง",
        "ขอ เส้นทาง {METHOD_TRAVEL} ไป {DESTINATION}",
        "นำทาง ไป {DESTINATION} แบบ {METHOD_TRAVEL}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "{METHOD_TRAVEL} ไป {DESTINATION} ใช้ เวลา นาน แค่ไหน",
        "{METHOD_TRAVEL} ไป {DESTINATION} กี่ ชั่วโมง",
        "ไป {DESTINATION} {METHOD_TRAVEL} ใช้ เวลา เท่าไร",
        "ถ้า {METHOD_TRAVEL} ไป {DESTINATION} จะ ถึง ภายใน กี่ ชั่วโมง",
    ),
}

MACHINE_TRANSLATIONS = {
    "IN:SET_ALARM": (
        "กรุณา ตั้ง การ ปลุก {DATE_TIME}",
        "ปลุก ฉัน ขึ้น {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "ยกเลิก การ ปลุก ของ ฉัน {DATE_TIME}",
        "กรุณา ลบ นาฬิกา ปลุก {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "ตั้ง ตัว จับ เวลา สำหรับ {DURATION}",
        "เริ่ม ตัว จับ เวลา สำหรับ {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "ยกเลิก ตัว จับ เวลา ของ ฉัน",
        "กรุณา หยุด ตัว จับ เวลา",
    ),
    "IN:CREATE_REMINDER": (
        "ช่วย เตือน ความ จำ ฉัน ว่า {TODO} {DATE_TIME}",
        "ตั้ง การ เตือน ความ จำ เพื่อ {TODO} {DATE_TIME}",
    ),
    "IN:GET_REMINDER": (
        "การ เตือน ความ จำ ของ ฉัน {DATE_TIME} คือ อะไร",
        "แสดง การ เตือน ความ จำ ของ ฉัน {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "สภาพ อากาศ ใน {LOCATION} {DATE_TIME} เป็น อย่างไร",
        "อากาศ ใน {LOCATION} {DATE_TIME} จะ เป็น อย่างไร",
        "จะ มี {WEATHER_ATTRIBUTE} ใน {LOCATION} {DATE_TIME} หรือไม่",
        "มี โอกาส ของ {WEATHER_ATTRIBUTE} ใน {LOCATION} {DATE_TIME} หรือไม่",
    ),
    "IN:PLAY_MUSIC": (
        "เล่น เพลง โดย {ARTIST}",
        "เล่น บาง เพลง ของ {ARTIST}",
        "เล่น {SONG} โดย {ARTIST}",
        "เล่น เพลง {SONG} โดย {ARTIST}",
        "เล่น เพลง {GENRE} บาง เพลง",
        "เล่น ดนตรี {GENRE}",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "เพิ่ม {SONG} ไปยัง เพลย์ลิสต์ {PLAYLIST} ของ ฉัน",
        "เพิ่ม {SONG} โดย {ARTIST} ไปยัง เพลย์ลิสต์ {PLAYLIST} ของ ฉัน",
    ),
    "IN:SEND_MESSAGE": (
        "ส่ง ข้อความ ถึง {CONTACT} ว่า {CONTENT_EXACT}",
        "กรุณา บอก {CONTACT} ว่า {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "อ่าน ข้อความ ของ ฉัน จาก {CONTACT}",
        "{CONTACT} ได้ ส่ง ข้อความ ถึง ฉัน หรือไม่",
    ),
    "IN:CREATE_CALL": (
        "โทร ถึง {CONTACT}",
        "ทำการ โทร ไป ยัง {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "ฉัน จะ ไป {DESTINATION} ได้ อย่างไร",
        "เส้นทาง ไป ยัง {DESTINATION}",
        "ฉัน จะ ไป {DESTINATION} {METHOD_TRAVEL} ได้ อย่างไร",
        "เส้นทาง ไป ยัง {DESTINATION} {METHOD_TRAVEL}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "ใช้ เวลา นาน เท่าใด ใน การ ไป {DESTINATION} {METHOD_TRAVEL}",
        "การ เดินทาง ไป {DESTINATION} {METHOD_TRAVEL} ใช้ เวลา เท่าไหร่",
    ),
}
