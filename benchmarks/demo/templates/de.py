"""German templates: native (informal ``du``, labelled files) and machine-translation style.

Native templates use German word order (verb second, separable verbs at the end: ``ruf
{CONTACT} an``, ``mach den Wecker {DATE_TIME} aus``) and German's own words (a kitchen
timer is a ``Küchenwecker``, which shares ``Wecker`` with alarms). The machine-translation
templates, used only for the unlabelled alignment translations, are what a machine
translation of the English would say: formal ``Sie``, a capital first letter, English
word order where German allows it, and literal word choices (``Alarm``,
``Wiedergabeliste``, ``Wie komme ich zu …``).
"""

TEMPLATES = {
    "IN:SET_ALARM": (
        "stell einen Wecker {DATE_TIME}",
        "weck mich {DATE_TIME}",
        "ich muss {DATE_TIME} aufstehen , stell einen Wecker",
        "{DATE_TIME} brauche ich einen Wecker",
        "kannst du mich {DATE_TIME} wecken",
    ),
    "IN:DELETE_ALARM": (
        "lösch den Wecker {DATE_TIME}",
        "mach den Wecker {DATE_TIME} aus",
        "ich brauche den Wecker {DATE_TIME} nicht mehr",
        "deaktiviere meinen Wecker {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "stell einen Timer auf {DURATION}",
        "starte einen Timer für {DURATION}",
        "Timer für {DURATION}",
        "ich brauche einen Timer für {DURATION}",
        "stell den Küchenwecker auf {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "stopp den Timer",
        "lösch den Timer",
        "brich den Timer ab",
        "mach den Küchenwecker aus",
        "ich brauche den Timer nicht mehr",
    ),
    "IN:CREATE_REMINDER": (
        "erinnere mich {DATE_TIME} daran , {TODO}",
        "kannst du mich {DATE_TIME} daran erinnern , {TODO}",
        "ich möchte {DATE_TIME} daran erinnert werden , {TODO}",
        "vergiss nicht , mich {DATE_TIME} daran zu erinnern , {TODO}",
    ),
    "IN:GET_REMINDER": (
        "welche Erinnerungen habe ich {DATE_TIME}",
        "hab ich {DATE_TIME} irgendwelche Erinnerungen",
        "woran soll ich {DATE_TIME} denken",
        "was steht {DATE_TIME} auf meiner Erinnerungsliste",
    ),
    "IN:GET_WEATHER": (
        "wie wird das Wetter {DATE_TIME} in {LOCATION}",
        "wie ist das Wetter in {LOCATION} {DATE_TIME}",
        "Wettervorhersage für {LOCATION} {DATE_TIME}",
        "brauche ich {DATE_TIME} in {LOCATION} einen Regenschirm",
        "gibt es {DATE_TIME} in {LOCATION} {WEATHER_ATTRIBUTE}",
        "wird es {DATE_TIME} in {LOCATION} {WEATHER_ATTRIBUTE} geben",
        "sag mir , ob es {DATE_TIME} in {LOCATION} {WEATHER_ATTRIBUTE} gibt",
    ),
    "IN:PLAY_MUSIC": (
        "spiel etwas von {ARTIST}",
        "ich will {ARTIST} hören",
        "mach Musik von {ARTIST} an",
        "spiel Lieder von {ARTIST}",
        "spiel {SONG} von {ARTIST}",
        "ich möchte {SONG} von {ARTIST} hören",
        "mach {SONG} von {ARTIST} an",
        "spiel etwas {GENRE}",
        "ich habe Lust auf {GENRE}",
        "mach {GENRE} an",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "füge {SONG} zu meiner Playlist {PLAYLIST} hinzu",
        "pack {SONG} in meine Playlist {PLAYLIST}",
        "speichere {SONG} in der Playlist {PLAYLIST}",
        "füge {SONG} von {ARTIST} zu meiner Playlist {PLAYLIST} hinzu",
        "pack {SONG} von {ARTIST} in die Playlist {PLAYLIST}",
        "nimm {SONG} von {ARTIST} in meine Playlist {PLAYLIST} auf",
    ),
    "IN:SEND_MESSAGE": (
        "schreib {CONTACT} : {CONTENT_EXACT}",
        "schick {CONTACT} eine Nachricht : {CONTENT_EXACT}",
        "sende eine Nachricht an {CONTACT} : {CONTENT_EXACT}",
        "schick eine SMS an {CONTACT} mit dem Text {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "lies mir die Nachrichten von {CONTACT} vor",
        "hat {CONTACT} mir geschrieben",
        "zeig mir die Nachrichten von {CONTACT}",
        "gibt es neue Nachrichten von {CONTACT}",
    ),
    "IN:CREATE_CALL": (
        "ruf {CONTACT} an",
        "ich möchte {CONTACT} anrufen",
        "starte einen Anruf mit {CONTACT}",
        "verbinde mich mit {CONTACT}",
        "kannst du {CONTACT} anrufen",
    ),
    "IN:GET_DIRECTIONS": (
        "wie komme ich nach {DESTINATION}",
        "navigiere nach {DESTINATION}",
        "zeig mir den Weg nach {DESTINATION}",
        "Route nach {DESTINATION}",
        "wie komme ich {METHOD_TRAVEL} nach {DESTINATION}",
        "zeig mir den Weg nach {DESTINATION} {METHOD_TRAVEL}",
        "Route {METHOD_TRAVEL} nach {DESTINATION}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "wie lange brauche ich {METHOD_TRAVEL} nach {DESTINATION}",
        "wie lange dauert es {METHOD_TRAVEL} nach {DESTINATION}",
        "wie viel Zeit brauche ich nach {DESTINATION} {METHOD_TRAVEL}",
        "wie lange ist man {METHOD_TRAVEL} nach {DESTINATION} unterwegs",
    ),
}

MACHINE_TRANSLATIONS = {
    "IN:SET_ALARM": (
        "Stellen Sie einen Alarm {DATE_TIME} ein",
        "Wecke mich {DATE_TIME} auf",
    ),
    "IN:DELETE_ALARM": (
        "Brechen Sie meinen Alarm {DATE_TIME} ab",
        "Löschen Sie den Alarm {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "Stellen Sie einen Timer für {DURATION} ein",
        "Starten Sie einen Timer für {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "Brechen Sie den Timer ab",
        "Stoppen Sie meinen Timer",
    ),
    "IN:CREATE_REMINDER": (
        "Erinnere mich daran , {TODO} {DATE_TIME}",
        "Legen Sie {DATE_TIME} eine Erinnerung an , {TODO}",
    ),
    "IN:GET_REMINDER": (
        "Was sind meine Erinnerungen {DATE_TIME}",
        "Zeigen Sie mir meine Erinnerungen {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "Was ist das Wetter in {LOCATION} {DATE_TIME}",
        "Wie wird das Wetter in {LOCATION} {DATE_TIME} sein",
        "Wird es {WEATHER_ATTRIBUTE} in {LOCATION} {DATE_TIME} geben",
        "Besteht die Möglichkeit , dass es {DATE_TIME} in {LOCATION} {WEATHER_ATTRIBUTE} gibt",
    ),
    "IN:PLAY_MUSIC": (
        "Spielen Sie etwas {ARTIST}",
        "Spielen Sie Musik von {ARTIST}",
        "Spielen Sie {SONG} von {ARTIST}",
        "Spielen Sie das Lied {SONG} von {ARTIST}",
        "Spielen Sie etwas {GENRE} Musik",
        "Spielen Sie {GENRE} Musik",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "Fügen Sie {SONG} zu meiner {PLAYLIST} Wiedergabeliste hinzu",
        "Fügen Sie {SONG} von {ARTIST} zu meiner {PLAYLIST} Wiedergabeliste hinzu",
    ),
    "IN:SEND_MESSAGE": (
        "Senden Sie eine Nachricht an {CONTACT} und sagen Sie : {CONTENT_EXACT}",
        "Schreiben Sie an {CONTACT} : {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "Lesen Sie meine Nachrichten von {CONTACT}",
        "Hat {CONTACT} mir eine SMS geschickt",
    ),
    "IN:CREATE_CALL": (
        "Rufen Sie {CONTACT} an",
        "Tätigen Sie einen Anruf bei {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "Wie komme ich zu {DESTINATION}",
        "Wegbeschreibung nach {DESTINATION}",
        "Wie komme ich nach {DESTINATION} {METHOD_TRAVEL}",
        "Wegbeschreibung nach {DESTINATION} {METHOD_TRAVEL}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "Wie lange dauert es , um nach {DESTINATION} {METHOD_TRAVEL} zu gelangen",
        "Wie lange ist die Fahrt nach {DESTINATION} {METHOD_TRAVEL}",
    ),
}
