"""Spanish templates: native (``tú``, labelled files) and machine-translation style.

Native templates use Spanish clitics and word order (``despiértame``, ``dile a
{CONTACT} que …``, ``pon música {GENRE}``). No template puts ``a`` or ``de`` before a
DATE_TIME value, whose Spanish form may start with ``el`` (``el lunes``) and would need
the contractions ``al``/``del``. The machine-translation templates (alignment only) use
formal ``usted``, a capital first letter and literal choices (``Ponga {SONG} por
{ARTIST}`` for "by", ``lista de reproducción``).
"""

TEMPLATES = {
    "IN:SET_ALARM": (
        "pon una alarma {DATE_TIME}",
        "despiértame {DATE_TIME}",
        "necesito una alarma {DATE_TIME}",
        "{DATE_TIME} tengo que levantarme , pon una alarma",
        "programa una alarma {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "quita la alarma que tengo {DATE_TIME}",
        "borra la alarma {DATE_TIME}",
        "cancela mi alarma {DATE_TIME}",
        "ya no necesito la alarma {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "pon un temporizador de {DURATION}",
        "temporizador de {DURATION}",
        "pon el temporizador en {DURATION}",
        "pon una cuenta atrás de {DURATION}",
        "cronometra {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "cancela el temporizador",
        "para el temporizador",
        "quita el temporizador",
        "ya no necesito el temporizador",
        "apaga la cuenta atrás",
    ),
    "IN:CREATE_REMINDER": (
        "recuérdame {TODO} {DATE_TIME}",
        "pon un recordatorio para {TODO} {DATE_TIME}",
        "avísame {DATE_TIME} para {TODO}",
        "no me dejes olvidar {TODO} {DATE_TIME}",
        "{DATE_TIME} recuérdame que tengo que {TODO}",
    ),
    "IN:GET_REMINDER": (
        "qué recordatorios tengo para {DATE_TIME}",
        "muéstrame mis recordatorios para {DATE_TIME}",
        "tengo algún recordatorio {DATE_TIME}",
        "qué tengo que recordar {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "qué tiempo hará en {LOCATION} {DATE_TIME}",
        "cómo estará el clima {DATE_TIME} en {LOCATION}",
        "pronóstico del tiempo para {LOCATION} {DATE_TIME}",
        "necesito paraguas {DATE_TIME} en {LOCATION}",
        "va a haber {WEATHER_ATTRIBUTE} en {LOCATION} {DATE_TIME}",
        "hay probabilidad de {WEATHER_ATTRIBUTE} {DATE_TIME} en {LOCATION}",
        "dime si habrá {WEATHER_ATTRIBUTE} en {LOCATION} {DATE_TIME}",
    ),
    "IN:PLAY_MUSIC": (
        "pon algo de {ARTIST}",
        "quiero escuchar a {ARTIST}",
        "pon música de {ARTIST}",
        "reproduce canciones de {ARTIST}",
        "pon {SONG} de {ARTIST}",
        "quiero escuchar {SONG} de {ARTIST}",
        "reproduce la canción {SONG} de {ARTIST}",
        "pon música {GENRE}",
        "quiero escuchar música {GENRE}",
        "ponme un poco de música {GENRE}",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "añade {SONG} a mi lista de {PLAYLIST}",
        "agrega {SONG} a la lista de {PLAYLIST}",
        "guarda {SONG} en mi lista de {PLAYLIST}",
        "añade {SONG} de {ARTIST} a mi lista de {PLAYLIST}",
        "mete {SONG} de {ARTIST} en la lista de {PLAYLIST}",
        "guarda la canción {SONG} de {ARTIST} en mi lista de {PLAYLIST}",
    ),
    "IN:SEND_MESSAGE": (
        "dile a {CONTACT} que {CONTENT_EXACT}",
        "manda un mensaje a {CONTACT} diciendo que {CONTENT_EXACT}",
        "escríbele a {CONTACT} que {CONTENT_EXACT}",
        "envíale un mensaje a {CONTACT} : {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "lee mis mensajes de {CONTACT}",
        "me ha escrito {CONTACT}",
        "muéstrame los mensajes de {CONTACT}",
        "tengo mensajes nuevos de {CONTACT}",
    ),
    "IN:CREATE_CALL": (
        "llama a {CONTACT}",
        "quiero hablar por teléfono con {CONTACT}",
        "haz una llamada a {CONTACT}",
        "marca a {CONTACT}",
        "haz una videollamada con {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "cómo llego a {DESTINATION}",
        "llévame a {DESTINATION}",
        "indicaciones para ir a {DESTINATION}",
        "muéstrame el camino a {DESTINATION}",
        "cómo llego a {DESTINATION} {METHOD_TRAVEL}",
        "cómo voy {METHOD_TRAVEL} a {DESTINATION}",
        "ruta para ir {METHOD_TRAVEL} a {DESTINATION}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "cuánto se tarda en llegar a {DESTINATION} {METHOD_TRAVEL}",
        "cuánto tiempo tardo {METHOD_TRAVEL} hasta {DESTINATION}",
        "cuántas horas son {METHOD_TRAVEL} hasta {DESTINATION}",
        "cuánto dura ir {METHOD_TRAVEL} a {DESTINATION}",
    ),
}

MACHINE_TRANSLATIONS = {
    "IN:SET_ALARM": (
        "Establezca una alarma {DATE_TIME}",
        "Despiérteme {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "Cancele mi alarma {DATE_TIME}",
        "Elimine la alarma {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "Establezca un temporizador para {DURATION}",
        "Inicie un temporizador para {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "Cancele el temporizador",
        "Detenga mi temporizador",
    ),
    "IN:CREATE_REMINDER": (
        "Recuérdeme {TODO} {DATE_TIME}",
        "Establezca un recordatorio para {TODO} {DATE_TIME}",
    ),
    "IN:GET_REMINDER": (
        "Cuáles son mis recordatorios {DATE_TIME}",
        "Muéstreme mis recordatorios {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "Cuál es el clima en {LOCATION} {DATE_TIME}",
        "Cómo va a estar el clima en {LOCATION} {DATE_TIME}",
        "Habrá {WEATHER_ATTRIBUTE} en {LOCATION} {DATE_TIME}",
        "Hay alguna posibilidad de {WEATHER_ATTRIBUTE} en {LOCATION} {DATE_TIME}",
    ),
    "IN:PLAY_MUSIC": (
        "Reproduzca algo de {ARTIST}",
        "Reproduzca música de {ARTIST}",
        "Reproduzca {SONG} de {ARTIST}",
        "Ponga {SONG} por {ARTIST}",
        "Reproduzca algo de música {GENRE}",
        "Ponga música {GENRE}",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "Agregue {SONG} a mi lista de reproducción {PLAYLIST}",
        "Agregue {SONG} de {ARTIST} a mi lista de reproducción {PLAYLIST}",
    ),
    "IN:SEND_MESSAGE": (
        "Dígale a {CONTACT} que {CONTENT_EXACT}",
        "Envíe un mensaje a {CONTACT} diciendo {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "Lea mis mensajes de {CONTACT}",
        "Me envió un mensaje de texto {CONTACT}",
    ),
    "IN:CREATE_CALL": (
        "Llame a {CONTACT}",
        "Haga una llamada a {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "Cómo puedo llegar a {DESTINATION}",
        "Indicaciones a {DESTINATION}",
        "Cómo puedo llegar a {DESTINATION} {METHOD_TRAVEL}",
        "Indicaciones a {DESTINATION} {METHOD_TRAVEL}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "Cuánto tiempo se tarda en llegar a {DESTINATION} {METHOD_TRAVEL}",
        "Cuánto dura el viaje a {DESTINATION} {METHOD_TRAVEL}",
    ),
}
