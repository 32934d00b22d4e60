{#- The PDF's first page. -#}
<div class="guide-cover">
  <h1>{{ config.site_name }}</h1>
  <p class="guide-cover__subtitle">{{ config.site_description }}</p>
  <p class="guide-cover__note">
    Every figure and number in this book was computed by the notebooks when it was built. Questions are linked to
    their answers; collapsed follow-up answers are printed open.
    Notebooks are printed with their text, figures and results but not their code: download the executed notebooks
    from the site or the offline edition.
  </p>
</div>
