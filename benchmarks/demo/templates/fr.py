"""French templates: native (``tu``, labelled files) and machine-translation style.

``de`` and ``que`` before a slot value that starts with a vowel are elided when the
utterance is built (``rappelle-moi d'acheter du lait``, ``dis à Anna qu'on se voit
demain``), see :mod:`benchmarks.demo.utterance`. No template puts ``de`` before a
DATE_TIME value, which may start with ``à`` (``à 7 h``). The machine-translation templates
(alignment only) use ``vous``, a capital first letter and literal choices (``Jouez``
for "play", ``par {ARTIST}`` for "by", ``liste de lecture``, ``minuterie``).
"""

TEMPLATES = {
    "IN:SET_ALARM": (
        "mets une alarme {DATE_TIME}",
        "réveille-moi {DATE_TIME}",
        "j'ai besoin d'une alarme {DATE_TIME}",
        "programme une alarme {DATE_TIME}",
        "tu peux me réveiller {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "supprime l'alarme prévue {DATE_TIME}",
        "annule mon alarme {DATE_TIME}",
        "désactive le réveil {DATE_TIME}",
        "je n'ai plus besoin de l'alarme {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "mets un minuteur de {DURATION}",
        "lance un minuteur de {DURATION}",
        "règle le minuteur sur {DURATION}",
        "minuteur {DURATION}",
        "lance un compte à rebours de {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "arrête le minuteur",
        "annule le minuteur",
        "supprime mon minuteur",
        "coupe le minuteur",
        "je n'ai plus besoin du minuteur",
    ),
    "IN:CREATE_REMINDER": (
        "rappelle-moi de {TODO} {DATE_TIME}",
        "crée un rappel pour {TODO} {DATE_TIME}",
        "{DATE_TIME} , rappelle-moi de {TODO}",
        "fais-moi penser à {TODO} {DATE_TIME}",
        "n'oublie pas de me rappeler de {TODO} {DATE_TIME}",
    ),
    "IN:GET_REMINDER": (
        "quels sont mes rappels pour {DATE_TIME}",
        "est-ce que j'ai des rappels {DATE_TIME}",
        "montre-moi mes rappels pour {DATE_TIME}",
        "qu'est-ce que je dois faire {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "quel temps fera-t-il à {LOCATION} {DATE_TIME}",
        "quelle est la météo {DATE_TIME} à {LOCATION}",
        "prévisions météo pour {LOCATION} {DATE_TIME}",
        "est-ce que j'aurai besoin d'un parapluie à {LOCATION} {DATE_TIME}",
        "est-ce qu'il va y avoir {WEATHER_ATTRIBUTE} à {LOCATION} {DATE_TIME}",
        "y aura-t-il {WEATHER_ATTRIBUTE} {DATE_TIME} à {LOCATION}",
        "tu sais s'il y aura {WEATHER_ATTRIBUTE} à {LOCATION} {DATE_TIME}",
    ),
    "IN:PLAY_MUSIC": (
        "mets {ARTIST}",
        "je veux écouter {ARTIST}",
        "mets de la musique de {ARTIST}",
        "lance des chansons de {ARTIST}",
        "mets {SONG} de {ARTIST}",
        "joue {SONG} de {ARTIST}",
        "je veux écouter la chanson {SONG} de {ARTIST}",
        "mets de la musique {GENRE}",
        "je veux écouter de la musique {GENRE}",
        "lance un peu de musique {GENRE}",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "ajoute {SONG} à ma playlist {PLAYLIST}",
        "mets {SONG} dans ma playlist {PLAYLIST}",
        "enregistre {SONG} dans la playlist {PLAYLIST}",
        "ajoute {SONG} de {ARTIST} à ma playlist {PLAYLIST}",
        "mets {SONG} de {ARTIST} dans la playlist {PLAYLIST}",
        "rajoute la chanson {SONG} de {ARTIST} à ma playlist {PLAYLIST}",
    ),
    "IN:SEND_MESSAGE": (
        "dis à {CONTACT} que {CONTENT_EXACT}",
        "envoie un message à {CONTACT} pour lui dire que {CONTENT_EXACT}",
        "écris à {CONTACT} que {CONTENT_EXACT}",
        "envoie un texto à {CONTACT} disant que {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "lis mes messages de {CONTACT}",
        "est-ce que {CONTACT} m'a écrit",
        "montre-moi les messages de {CONTACT}",
        "j'ai des nouveaux messages de {CONTACT}",
    ),
    "IN:CREATE_CALL": (
        "appelle {CONTACT}",
        "passe un coup de fil à {CONTACT}",
        "je veux appeler {CONTACT}",
        "lance un appel vidéo avec {CONTACT}",
        "téléphone à {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "comment aller à {DESTINATION}",
        "emmène-moi à {DESTINATION}",
        "itinéraire pour {DESTINATION}",
        "montre-moi le chemin pour aller à {DESTINATION}",
        "comment aller à {DESTINATION} {METHOD_TRAVEL}",
        "itinéraire {METHOD_TRAVEL} pour {DESTINATION}",
        "quel chemin prendre pour aller à {DESTINATION} {METHOD_TRAVEL}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "combien de temps pour aller à {DESTINATION} {METHOD_TRAVEL}",
        "il faut combien de temps {METHOD_TRAVEL} jusqu'à {DESTINATION}",
        "en combien de temps on va à {DESTINATION} {METHOD_TRAVEL}",
        "ça prend combien de temps d'aller à {DESTINATION} {METHOD_TRAVEL}",
    ),
}

MACHINE_TRANSLATIONS = {
    "IN:SET_ALARM": (
        "Réglez une alarme {DATE_TIME}",
        "Réveillez-moi {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "Annulez mon alarme {DATE_TIME}",
        "Supprimez l'alarme {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "Réglez une minuterie pour {DURATION}",
        "Démarrez une minuterie pour {DURATION}",
    ),
    "IN:DELETE_TIMER": (
        "Annulez la minuterie",
        "Arrêtez ma minuterie",
    ),
    "IN:CREATE_REMINDER": (
        "Rappelez-moi de {TODO} {DATE_TIME}",
        "Définissez un rappel pour {TODO} {DATE_TIME}",
    ),
    "IN:GET_REMINDER": (
        "Quels rappels ai-je {DATE_TIME}",
        "Montrez-moi mes rappels {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "Quel est le temps à {LOCATION} {DATE_TIME}",
        "Comment sera le temps à {LOCATION} {DATE_TIME}",
        "Y aura-t-il {WEATHER_ATTRIBUTE} à {LOCATION} {DATE_TIME}",
        "Est-il prévu {WEATHER_ATTRIBUTE} à {LOCATION} {DATE_TIME}",
    ),
    "IN:PLAY_MUSIC": (
        "Jouez de la musique de {ARTIST}",
        "Jouez quelque chose de {ARTIST}",
        "Jouez {SONG} par {ARTIST}",
        "Jouez la chanson {SONG} de {ARTIST}",
        "Jouez de la musique {GENRE}",
        "Mettez de la musique {GENRE}",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "Ajoutez {SONG} à ma liste de lecture {PLAYLIST}",
        "Ajoutez {SONG} par {ARTIST} à ma liste de lecture {PLAYLIST}",
    ),
    "IN:SEND_MESSAGE": (
        "Dites à {CONTACT} que {CONTENT_EXACT}",
        "Envoyez un message à {CONTACT} disant que {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "Lisez mes messages de {CONTACT}",
        "Est-ce que {CONTACT} m'a envoyé un texto",
    ),
    "IN:CREATE_CALL": (
        "Appelez {CONTACT}",
        "Passez un appel à {CONTACT}",
    ),
    "IN:GET_DIRECTIONS": (
        "Comment puis-je me rendre à {DESTINATION}",
        "Itinéraire vers {DESTINATION}",
        "Comment puis-je me rendre à {DESTINATION} {METHOD_TRAVEL}",
        "Itinéraire vers {DESTINATION} {METHOD_TRAVEL}",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "Combien de temps faut-il pour se rendre à {DESTINATION} {METHOD_TRAVEL}",
        "Quelle est la durée du trajet vers {DESTINATION} {METHOD_TRAVEL}",
    ),
}
