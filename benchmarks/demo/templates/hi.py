"""Hindi templates: native (colloquial, labelled files) and machine-translation style.

Hindi is verb-final with postpositions, so most slots come early (``{CONTACT} को कॉल
करो``, ``{ARTIST} का {SONG} बजाओ``). DATE_TIME values may be relative (``20 मिनट में``),
so alarm and reminder templates never put a postposition after them; durations are
written in the oblique case and always take one (``{DURATION} का टाइमर``). The
machine-translation templates (alignment only) are formal (``करें``, ``कृपया``) and use
the Sanskritised words machine translation prefers (``संदेश``, ``अनुस्मारक``,
``दिशा-निर्देश``) and ``द्वारा`` for "by".
"""

TEMPLATES = {
    "IN:SET_ALARM": (
        "मुझे {DATE_TIME} जगा देना",
        "अलार्म लगा दो {DATE_TIME}",
        "{DATE_TIME} उठना है , अलार्म लगा दो",
        "{DATE_TIME} अलार्म बजना चाहिए",
        "मुझे {DATE_TIME} उठा देना",
    ),
    "IN:DELETE_ALARM": (
        "{DATE_TIME} वाला अलार्म हटा दो",
        "{DATE_TIME} का अलार्म बंद करो",
        "{DATE_TIME} के अलार्म की ज़रूरत नहीं है",
        "मेरा {DATE_TIME} वाला अलार्म कैंसिल करो",
    ),
    "IN:CREATE_TIMER": (
        "{DURATION} का टाइमर लगाओ",
        "{DURATION} के लिए टाइमर सेट करो",
        "टाइमर {DURATION} का लगा दो",
        "टाइमर को {DURATION} पर सेट करो",
    ),
    "IN:DELETE_TIMER": (
        "टाइमर बंद करो",
        "टाइमर हटा दो",
        "टाइमर कैंसिल कर दो",
        "मुझे टाइमर की ज़रूरत नहीं है",
        "टाइमर रोक दो",
    ),
    "IN:CREATE_REMINDER": (
        "मुझे {DATE_TIME} {TODO} याद दिलाना",
        "याद दिलाना कि {DATE_TIME} मुझे {TODO} है",
        "रिमाइंडर लगाओ कि {DATE_TIME} मुझे {TODO} है",
        "{DATE_TIME} मुझे {TODO} है , याद दिला देना",
    ),
    "IN:GET_REMINDER": (
        "{DATE_TIME} मेरे कौन से रिमाइंडर हैं",
        "क्या {DATE_TIME} कोई रिमाइंडर है",
        "मुझे {DATE_TIME} क्या क्या याद रखना है",
        "बताओ {DATE_TIME} मुझे किस बात का रिमाइंडर है",
    ),
    "IN:GET_WEATHER": (
        "{DATE_TIME} {LOCATION} में मौसम कैसा रहेगा",
        "{LOCATION} में {DATE_TIME} मौसम कैसा होगा",
        "{LOCATION} का मौसम बताओ {DATE_TIME}",
        "क्या मुझे {DATE_TIME} {LOCATION} में छाते की ज़रूरत पड़ेगी",
        "क्या {DATE_TIME} {LOCATION} में {WEATHER_ATTRIBUTE} की संभावना है",
        "{DATE_TIME} {LOCATION} में {WEATHER_ATTRIBUTE} होने की संभावना है क्या",
        "{LOCATION} में {DATE_TIME} {WEATHER_ATTRIBUTE} का अनुमान है क्या",
    ),
    "IN:PLAY_MUSIC": (
        "{ARTIST} के गाने बजाओ",
        "{ARTIST} का म्यूज़िक चलाओ",
        "मुझे {ARTIST} को सुनना है",
        "कुछ {ARTIST} चला दो",
        "{ARTIST} का {SONG} बजाओ",
        "{ARTIST} का गाना {SONG} चलाओ",
        "मुझे {ARTIST} का {SONG} सुनना है",
        "कुछ {GENRE} गाने बजाओ",
        "{GENRE} म्यूज़िक चलाओ",
        "मुझे {GENRE} सुनना है",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "{SONG} को मेरी {PLAYLIST} प्लेलिस्ट में जोड़ दो",
        "{SONG} को {PLAYLIST} प्लेलिस्ट में डालो",
        "मेरी {PLAYLIST} प्लेलिस्ट में {SONG} ऐड करो",
        "{ARTIST} का {SONG} मेरी {PLAYLIST} प्लेलिस्ट में जोड़ दो",
        "मेरी {PLAYLIST} प्लेलिस्ट में {ARTIST} का गाना {SONG} डालो",
        "{ARTIST} के {SONG} को {PLAYLIST} प्लेलिस्ट में ऐड कर दो",
    ),
    "IN:SEND_MESSAGE": (
        "{CONTACT} को मैसेज भेजो कि {CONTENT_EXACT}",
        "{CONTACT} को बता दो कि {CONTENT_EXACT}",
        "मैसेज भेजो {CONTACT} को कि {CONTENT_EXACT}",
        "{CONTACT} को लिख दो कि {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "{CONTACT} के मैसेज पढ़कर सुनाओ",
        "क्या {CONTACT} ने मुझे मैसेज किया",
        "{CONTACT} के मैसेज दिखाओ",
        "{CONTACT} का कोई नया मैसेज आया है क्या",
    ),
    "IN:CREATE_CALL": (
        "{CONTACT} को कॉल करो",
        "{CONTACT} को फ़ोन लगाओ",
        "मुझे {CONTACT} से बात करनी है , फ़ोन लगाओ",
        "{CONTACT} को वीडियो कॉल करो",
    ),
    "IN:GET_DIRECTIONS": (
        "{DESTINATION} कैसे जाऊँ",
        "{DESTINATION} का रास्ता बताओ",
        "मुझे {DESTINATION} ले चलो",
        "{DESTINATION} जाने का रास्ता दिखाओ",
        "{METHOD_TRAVEL} {DESTINATION} कैसे जाऊँ",
        "{DESTINATION} {METHOD_TRAVEL} जाने का रास्ता बताओ",
        "मुझे {METHOD_TRAVEL} {DESTINATION} जाना है , रास्ता दिखाओ",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "{METHOD_TRAVEL} {DESTINATION} पहुँचने में कितना समय लगेगा",
        "{DESTINATION} {METHOD_TRAVEL} जाने में कितना वक़्त लगता है",
        "{METHOD_TRAVEL} {DESTINATION} कितने घंटे का रास्ता है",
        "{DESTINATION} तक {METHOD_TRAVEL} कितनी देर लगेगी",
    ),
}

MACHINE_TRANSLATIONS = {
    "IN:SET_ALARM": (
        "कृपया एक अलार्म सेट करें {DATE_TIME}",
        "मुझे जगाएं {DATE_TIME}",
    ),
    "IN:DELETE_ALARM": (
        "कृपया मेरा अलार्म रद्द करें {DATE_TIME}",
        "अलार्म हटाएं {DATE_TIME}",
    ),
    "IN:CREATE_TIMER": (
        "{DURATION} के लिए एक टाइमर सेट करें",
        "कृपया {DURATION} के लिए टाइमर शुरू करें",
    ),
    "IN:DELETE_TIMER": (
        "टाइमर रद्द करें",
        "कृपया मेरा टाइमर बंद करें",
    ),
    "IN:CREATE_REMINDER": (
        "मुझे {TODO} याद दिलाएं {DATE_TIME}",
        "कृपया मुझे याद दिलाएं कि {DATE_TIME} {TODO} है",
    ),
    "IN:GET_REMINDER": (
        "{DATE_TIME} मेरे अनुस्मारक क्या हैं",
        "मुझे मेरे अनुस्मारक दिखाएं {DATE_TIME}",
    ),
    "IN:GET_WEATHER": (
        "{LOCATION} में मौसम क्या है {DATE_TIME}",
        "कृपया मुझे {LOCATION} में मौसम बताएं {DATE_TIME}",
        "क्या {LOCATION} में {WEATHER_ATTRIBUTE} की कोई संभावना है {DATE_TIME}",
        "क्या {DATE_TIME} {LOCATION} में {WEATHER_ATTRIBUTE} की उम्मीद है",
    ),
    "IN:PLAY_MUSIC": (
        "{ARTIST} द्वारा संगीत चलाएं",
        "कुछ {ARTIST} चलाएं",
        "{ARTIST} द्वारा {SONG} चलाएं",
        "कृपया {ARTIST} का {SONG} चलाएं",
        "कुछ {GENRE} संगीत चलाएं",
        "{GENRE} संगीत बजाएं",
    ),
    "IN:ADD_TO_PLAYLIST": (
        "{SONG} को मेरी {PLAYLIST} प्लेलिस्ट में जोड़ें",
        "{ARTIST} द्वारा {SONG} को मेरी {PLAYLIST} प्लेलिस्ट में जोड़ें",
    ),
    "IN:SEND_MESSAGE": (
        "{CONTACT} को एक संदेश भेजें कि {CONTENT_EXACT}",
        "{CONTACT} को बताएं कि {CONTENT_EXACT}",
    ),
    "IN:GET_MESSAGE": (
        "{CONTACT} से मेरे संदेश पढ़ें",
        "क्या {CONTACT} ने मुझे संदेश भेजा",
    ),
    "IN:CREATE_CALL": (
        "{CONTACT} को कॉल करें",
        "कृपया {CONTACT} को फ़ोन करें",
    ),
    "IN:GET_DIRECTIONS": (
        "मैं {DESTINATION} कैसे पहुँचूँ",
        "{DESTINATION} के लिए दिशा-निर्देश",
        "मैं {METHOD_TRAVEL} {DESTINATION} कैसे पहुँचूँ",
        "{METHOD_TRAVEL} {DESTINATION} के लिए दिशा-निर्देश",
    ),
    "IN:GET_ESTIMATED_DURATION": (
        "{METHOD_TRAVEL} {DESTINATION} तक पहुँचने में कितना समय लगता है",
        "{DESTINATION} की यात्रा {METHOD_TRAVEL} कितनी लंबी है",
    ),
}
